using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>Decides which collector owns a target (spec upstream-ta.md §4).</summary>
public interface IAllocationStrategy
{
    /// <summary>The upstream strategy name, used as the <c>strategy</c> metric attribute.</summary>
    string Name { get; }

    /// <summary>Called whenever the collector set changes, before targets are re-assigned.</summary>
    void SetCollectors(IReadOnlyDictionary<string, Collector> collectors);

    /// <summary>
    /// The owner of <paramref name="item"/>, or <c>null</c> with a reason when no collector can take it.
    /// <paramref name="current"/> is the target's present owner, if any, for strategies that keep assignments.
    /// </summary>
    string? Assign(TargetItem item, string? current, IReadOnlyDictionary<string, Collector> collectors, out string? reason);
}
