using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// Gives each target to the collector on the target's node (spec upstream-ta.md §4.4); targets without a node go to
/// the fallback strategy when one is configured, and otherwise stay unassigned with a reason.
/// </summary>
public sealed class PerNodeStrategy : IAllocationStrategy
{
    public const string StrategyName = "per-node";

    private readonly IAllocationStrategy? _fallback;
    private Dictionary<string, Collector> _collectorByNode = new(StringComparer.Ordinal);

    public PerNodeStrategy(IAllocationStrategy? fallback)
    {
        _fallback = fallback;
    }

    public string Name => StrategyName;

    public bool IsOrderSensitive => _fallback?.IsOrderSensitive ?? false;

    public void SetCollectors(IReadOnlyDictionary<string, Collector> collectors)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        var byNode = new Dictionary<string, Collector>(StringComparer.Ordinal);

        // Two collectors on one node: the smallest name wins, deterministically (upstream: Go map order, §11 Q10).
        foreach (var c in collectors.Values.OrderByDescending(c => c.Name, StringComparer.Ordinal))
        {
            if (c.NodeName.Length > 0)
            {
                byNode[c.NodeName] = c;
            }
        }

        _collectorByNode = byNode;
        _fallback?.SetCollectors(collectors);
    }

    public Collector? Assign(TargetItem item, Collector? current, IJobTargetCounts job, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(item);
        var node = item.NodeName;
        if (node.Length == 0)
        {
            if (_fallback is not null)
            {
                return _fallback.Assign(item, current, job, out reason);
            }

            reason = "the target has no node label and no allocation_fallback_strategy is set";
            return null;
        }

        if (_collectorByNode.TryGetValue(node, out var owner))
        {
            reason = null;
            return owner;
        }

        reason = $"could not find collector for node {node}";
        return null;
    }
}
