using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// Keeps a target where it is while its collector lives; otherwise picks the collector with the fewest targets,
/// then the fewest targets of this job, then the smallest name (spec upstream-ta.md §4.3).
/// </summary>
public sealed class LeastWeightedStrategy : IAllocationStrategy
{
    public const string StrategyName = "least-weighted";

    private Collector[] _collectors = [];

    public string Name => StrategyName;

    public bool IsOrderSensitive => true;

    public void SetCollectors(IReadOnlyDictionary<string, Collector> collectors)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        _collectors = [.. collectors.Values];
    }

    public Collector? Assign(TargetItem item, Collector? current, IJobTargetCounts job, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(job);
        reason = null;
        if (current is not null)
        {
            return current;
        }

        // One pass; the per-job count is read only when total counts tie, and the leader's once.
        Collector? best = null;
        var bestJob = -1;
        foreach (var candidate in _collectors)
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
                bestJob = job.TargetsOn(best);
            }

            var candidateJob = job.TargetsOn(candidate);
            if (candidateJob < bestJob || (candidateJob == bestJob && string.CompareOrdinal(candidate.Name, best.Name) < 0))
            {
                best = candidate;
                bestJob = candidateJob;
            }
        }

        if (best is null)
        {
            reason = Allocator.NoCollectorsReason;
        }

        return best;
    }
}
