namespace Quartermaster.Core.Allocation;

/// <summary>
/// Applies <c>collector_not_ready_grace_period</c> to the reported collectors (spec upstream-ta.md §4.5): a collector
/// not ready for longer than the grace period is left out, one within it keeps its place; a zero period disables
/// the check.
/// </summary>
public sealed class CollectorSet
{
    /// <summary>Upstream's default grace period (#3989).</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly Dictionary<string, DateTimeOffset> _firstSeenNotReady = new(StringComparer.Ordinal);

    public CollectorSet(TimeProvider time, TimeSpan gracePeriod)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        GracePeriod = gracePeriod;
    }

    public TimeSpan GracePeriod { get; set; }

    /// <summary>Splits <paramref name="reported"/> into allocatable collectors and those excluded as not ready.</summary>
    public CollectorSelection Select(IReadOnlyList<CollectorInfo> reported)
    {
        ArgumentNullException.ThrowIfNull(reported);
        var now = _time.GetUtcNow();
        var allocatable = new List<CollectorInfo>(reported.Count);
        var notReady = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in reported)
        {
            seen.Add(c.Name);
            if (c.Ready || GracePeriod <= TimeSpan.Zero)
            {
                _firstSeenNotReady.Remove(c.Name);
                allocatable.Add(c);
                continue;
            }

            DateTimeOffset since;
            if (c.NotReadySince is { } reportedSince)
            {
                since = reportedSince;
                _firstSeenNotReady.Remove(c.Name);
            }
            else if (!_firstSeenNotReady.TryGetValue(c.Name, out since))
            {
                since = now;
                _firstSeenNotReady.Add(c.Name, now);
            }

            var deadline = since + GracePeriod;
            if (now >= deadline)
            {
                notReady.Add(c.Name);
                continue;
            }

            allocatable.Add(c);
            if (next is null || deadline < next)
            {
                next = deadline;
            }
        }

        foreach (var name in _firstSeenNotReady.Keys.Where(n => !seen.Contains(n)).ToList())
        {
            _firstSeenNotReady.Remove(name);
        }

        return new CollectorSelection(allocatable, notReady, next);
    }
}

/// <summary>
/// The collectors that can take targets, those left out as not ready past the grace period, and the earliest time a
/// collector still within its grace period runs out of it (the allocator must look again then).
/// </summary>
public sealed record CollectorSelection(
    IReadOnlyList<CollectorInfo> Allocatable,
    IReadOnlySet<string> NotReady,
    DateTimeOffset? NextCheck);
