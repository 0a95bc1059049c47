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

        // One pass; the per-job count (a dictionary lookup) is read only when total counts tie, and the leader's once.
        Collector? best = null;
        var bestJob = -1;
        foreach (var candidate in collectors.Values)
        {
            if (best is null || candidate.NumTargets < best.NumTargets)
            {
                best = candidate;
                bestJob = -1;
                continue;
            }

            if (candidate.NumTargets > best.NumTargets)
            {
                continue;
            }

            if (bestJob < 0)
            {
                bestJob = best.TargetsOfJob(item.JobName);
            }

            var candidateJob = candidate.TargetsOfJob(item.JobName);
            if (candidateJob < bestJob || (candidateJob == bestJob && string.CompareOrdinal(candidate.Name, best.Name) < 0))
            {
                best = candidate;
                bestJob = candidateJob;
            }
        }

        if (best is null)
        {
            reason = "no collectors are registered";
        }

        return best?.Name;
    }
}
