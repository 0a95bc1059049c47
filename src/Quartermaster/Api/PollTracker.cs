using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Quartermaster.Core.Explain;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Serving;
using Quartermaster.Hosting;

namespace Quartermaster.Api;

/// <summary>
/// Remembers when each collector last polled each job, and counts polls with a <c>collector_id</c> the allocator does
/// not know (upstream answers those with <c>[]</c> and says nothing, a common reason for "no targets").
/// </summary>
internal sealed class PollTracker
{
    /// <summary>Unknown ids remembered at most, so a misbehaving client cannot grow memory without bound.</summary>
    private const int MaxUnknownIds = 1000;

    private readonly ConcurrentDictionary<(string Collector, string Job), (long Time, long Generation)> _lastPoll = new();
    private readonly ConcurrentDictionary<string, long> _unknown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _unknownJob = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Counter<long> _unknownPolls;
    private readonly ILogger<PollTracker> _logger;

    public PollTracker(TimeProvider time, IMeterFactory meterFactory, ILogger<PollTracker> logger)
    {
        _time = time;
        _logger = logger;
        _unknownPolls = meterFactory.Create(new MeterOptions(PipelineMetrics.MeterName)).CreateCounter<long>(
            "quartermaster_unknown_collector_polls",
            unit: "{request}",
            description: "Target requests whose collector_id matches no collector; they are answered with [].");
    }

    public void Record(ServingSnapshot snapshot, string job, string collectorId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (snapshot.TargetsPerCollector.ContainsKey(collectorId))
        {
            _lastPoll[(collectorId, job)] = (now, snapshot.Generation);
            return;
        }

        _unknownPolls.Add(1);
        if (_unknown.Count < MaxUnknownIds || _unknown.ContainsKey(collectorId))
        {
            _unknownJob[collectorId] = job;
            if (_unknown.TryAdd(collectorId, now))
            {
                Log.UnknownCollector(_logger, collectorId, job);
            }
            else
            {
                _unknown[collectorId] = now;
            }
        }
    }

    /// <summary>Last poll per job of <paramref name="collectorId"/>, as Unix milliseconds.</summary>
    public IReadOnlyDictionary<string, long> PollsOf(string collectorId) =>
        _lastPoll.Where(p => p.Key.Collector == collectorId).ToDictionary(p => p.Key.Job, p => p.Value.Time, StringComparer.Ordinal);

    /// <summary>The last poll of <paramref name="job"/> by <paramref name="collectorId"/> and the snapshot generation it was served from.</summary>
    public PollRecord? LastPoll(string collectorId, string job) =>
        _lastPoll.TryGetValue((collectorId, job), out var p) ? new PollRecord(DateTimeOffset.FromUnixTimeMilliseconds(p.Time), p.Generation) : null;

    /// <summary>Unknown collector ids with the job of their last poll and its time.</summary>
    public IReadOnlyList<UnknownCollectorPoll> UnknownPolls() =>
        [.. _unknown.Select(u => new UnknownCollectorPoll(u.Key, _unknownJob.GetValueOrDefault(u.Key, ""), DateTimeOffset.FromUnixTimeMilliseconds(u.Value)))];

    /// <summary>Unknown collector ids seen, with the time of their last poll.</summary>
    public IReadOnlyDictionary<string, long> UnknownCollectors => _unknown.ToDictionary(StringComparer.Ordinal);
}
