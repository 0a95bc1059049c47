using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// Keeps a target where it is while its collector lives; otherwise picks the collector with the fewest targets,
/// then the fewest targets of this job, then the smallest name (spec upstream-ta.md §4.3).
/// </summary>
public sealed class LeastWeightedStrategy : IAllocationStrategy
{
    public const string StrategyName = "least-weighted";

    public string Name => StrategyName;

    public void SetCollectors(IReadOnlyDictionary<string, Collector> collectors)
    {
    }

    public string? Assign(TargetItem item, string? current, IReadOnlyDictionary<string, Collector> collectors, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(collectors);
        reason = null;
        if (current is not null && collectors.ContainsKey(current))
        {
            return current;
        }

        Collector? best = null;
        foreach (var candidate in collectors.Values)
        {
            if (best is null || Better(candidate, best, item.JobName))
            {
                best = candidate;
            }
        }

        if (best is null)
        {
            reason = "no collectors are registered";
        }

        return best?.Name;
    }

    private static bool Better(Collector a, Collector b, string job)
    {
        if (a.NumTargets != b.NumTargets)
        {
            return a.NumTargets < b.NumTargets;
        }

        var aj = a.TargetsOfJob(job);
        var bj = b.TargetsOfJob(job);
        return aj != bj ? aj < bj : string.CompareOrdinal(a.Name, b.Name) < 0;
    }
}
