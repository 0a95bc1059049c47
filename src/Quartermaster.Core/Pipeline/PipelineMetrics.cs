using System.Diagnostics.Metrics;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Serving;

namespace Quartermaster.Core.Pipeline;

/// <summary>
/// The allocator's own instruments, with upstream's names and attributes (spec upstream-ta.md §8) so existing
/// dashboards keep working. Gauges are observed from the served snapshot, so they can never drift from it.
/// </summary>
public sealed class PipelineMetrics
{
    public const string MeterName = "targetallocator";

    private readonly Histogram<double> _timeToAllocate;
    private readonly Histogram<double> _processTargets;
    private readonly Histogram<double> _processTargetGroups;
    private readonly Counter<long> _targetsMoved;

    public PipelineMetrics(IMeterFactory meterFactory, Func<ServingSnapshot> snapshot, Func<string> strategy)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(new MeterOptions(MeterName));
        // No unit on purpose: a unit would make the exporter append "_seconds" to upstream's name.
        _timeToAllocate = meter.CreateHistogram<double>(
            "opentelemetry_allocator_time_to_allocate",
            description: "The time it takes to allocate, in seconds",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000] });
        _processTargets = meter.CreateHistogram<double>(
            "opentelemetry_allocator_process_targets_duration_seconds",
            unit: "s",
            description: "Duration of processing targets.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 30, 60, 120] });
        _processTargetGroups = meter.CreateHistogram<double>(
            "opentelemetry_allocator_process_target_groups_duration_seconds",
            unit: "s",
            description: "Duration of processing target groups.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 30, 60, 120] });
        _targetsMoved = meter.CreateCounter<long>(
            "quartermaster_targets_moved",
            description: "Targets moved from one collector to another, by reason.");
        meter.CreateObservableGauge(
            "opentelemetry_allocator_collectors_discovered",
            () => (long)snapshot().Collectors.Count,
            description: "Number of collectors discovered.");
        meter.CreateObservableGauge(
            "opentelemetry_allocator_targets",
            () => snapshot().JobStats.Select(j => new Measurement<double>(j.Value.Discovered, new KeyValuePair<string, object?>("job_name", j.Key))),
            description: "Number of targets discovered.");
        meter.CreateObservableGauge(
            "opentelemetry_allocator_targets_per_collector",
            () => snapshot().TargetsPerCollector.Select(c => new Measurement<long>(
                c.Value, new KeyValuePair<string, object?>("collector_name", c.Key), new KeyValuePair<string, object?>("strategy", strategy()))),
            description: "The number of targets for each collector.");
        meter.CreateObservableGauge(
            "opentelemetry_allocator_collectors_allocatable",
            () => new Measurement<long>(snapshot().Collectors.Count, new KeyValuePair<string, object?>("strategy", strategy())),
            description: "Number of collectors the allocator is able to allocate to.");
        meter.CreateObservableGauge(
            "opentelemetry_allocator_targets_remaining",
            () => (long)snapshot().TargetCount,
            description: "Number of targets kept after filtering.");

        // Upstream writes this gauge only when it is above zero, so it never returns to 0 (§11 Q19); it is observed here.
        meter.CreateObservableGauge(
            "opentelemetry_allocator_targets_unassigned",
            () => (long)snapshot().UnassignedCount,
            description: "Number of targets that could not be assigned due to missing node label.");
        meter.CreateObservableGauge(
            "quartermaster_targets_duplicate",
            () => snapshot().JobStats.Select(j => new Measurement<long>(j.Value.Duplicates, new KeyValuePair<string, object?>("job_name", j.Key))),
            description: "Targets collapsed into another target with the same identity after relabeling, per job.");
        meter.CreateObservableGauge(
            "quartermaster_targets_dropped",
            () => snapshot().JobStats.Select(j => new Measurement<long>(j.Value.Dropped, new KeyValuePair<string, object?>("job_name", j.Key))),
            description: "Targets relabeling currently drops, per job.");
        meter.CreateObservableGauge(
            "quartermaster_targets_unassigned_by_reason",
            () => UnassignedByReason(snapshot()),
            description: "Kept targets no collector owns, by reason.");
    }

    /// <summary>The <c>reason</c> attribute values of <c>quartermaster_targets_unassigned_by_reason</c>.</summary>
    public static readonly IReadOnlyList<string> UnassignedReasons =
        ["no_collectors", "no_node_label", "no_collector_on_node", "collector_not_ready", "collector_removed", "other"];

    /// <summary>Maps an allocator's unassigned reason (free text that may name a node) to a bounded metric label.</summary>
    public static string ClassifyUnassigned(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return reason switch
        {
            Allocator.NoCollectorsReason => "no_collectors",
            _ when reason.StartsWith("the target has no node label", StringComparison.Ordinal) => "no_node_label",
            _ when reason.StartsWith("could not find collector for node", StringComparison.Ordinal) => "no_collector_on_node",
            _ when reason.Contains("not ready", StringComparison.Ordinal) => "collector_not_ready",
            _ when reason.Contains("was removed", StringComparison.Ordinal) => "collector_removed",
            _ => "other",
        };
    }

    private static Measurement<long>[] UnassignedByReason(ServingSnapshot snapshot)
    {
        var counts = new long[UnassignedReasons.Count];
        foreach (var job in snapshot.Jobs.Values)
        {
            foreach (var u in job.Unassigned)
            {
                counts[IndexOf(ClassifyUnassigned(u.Reason))]++;
            }
        }

        var result = new Measurement<long>[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            result[i] = new Measurement<long>(counts[i], new KeyValuePair<string, object?>("reason", UnassignedReasons[i]));
        }

        return result;

        static int IndexOf(string label)
        {
            for (var i = 0; i < UnassignedReasons.Count; i++)
            {
                if (UnassignedReasons[i] == label)
                {
                    return i;
                }
            }

            return UnassignedReasons.Count - 1;
        }
    }

    public void RecordProcessTargetGroups(string job, TimeSpan elapsed)
    {
        if (_processTargetGroups.Enabled)
        {
            _processTargetGroups.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("job_name", job));
        }
    }

    public void RecordProcessTargets(TimeSpan elapsed)
    {
        if (_processTargets.Enabled)
        {
            _processTargets.Record(elapsed.TotalSeconds);
        }
    }

    public void RecordMoves(MoveReason reason, int count)
    {
        if (count > 0 && _targetsMoved.Enabled)
        {
            _targetsMoved.Add(count, new KeyValuePair<string, object?>("reason", MoveReasons.Label(reason)));
        }
    }

    public void RecordTimeToAllocate(string method, string strategy, TimeSpan elapsed)
    {
        if (_timeToAllocate.Enabled)
        {
            _timeToAllocate.Record(
                elapsed.TotalSeconds,
                new KeyValuePair<string, object?>("method", method),
                new KeyValuePair<string, object?>("strategy", strategy));
        }
    }
}
