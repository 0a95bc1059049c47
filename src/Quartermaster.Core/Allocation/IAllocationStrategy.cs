using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>Decides which collector owns a target (spec upstream-ta.md §4).</summary>
public interface IAllocationStrategy
{
    /// <summary>The upstream strategy name, used as the <c>strategy</c> metric attribute.</summary>
    string Name { get; }

    /// <summary>
    /// Whether an answer depends on the assignments made before it (least-weighted). The allocator then assigns in
    /// identity order so that every replica and every run agree; other strategies are spared the sort.
    /// </summary>
    bool IsOrderSensitive { get; }

    /// <summary>Called whenever the collector set changes, before targets are re-assigned.</summary>
    void SetCollectors(IReadOnlyDictionary<string, Collector> collectors);

    /// <summary>
    /// The owner of <paramref name="item"/> among the collectors last given to <see cref="SetCollectors"/>, or
    /// <c>null</c> with a reason when none can take it. <paramref name="current"/> is the target's present owner, a live
    /// collector, for strategies that keep assignments; <paramref name="job"/> counts the targets of the item's job per
    /// collector.
    /// </summary>
    Collector? Assign(TargetItem item, Collector? current, IJobTargetCounts job, out string? reason);
}

/// <summary>How many targets of one job each collector owns.</summary>
public interface IJobTargetCounts
{
    int TargetsOn(Collector collector);
}
