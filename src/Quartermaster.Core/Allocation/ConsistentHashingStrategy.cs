using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// Upstream's default strategy: a bounded-load consistent-hash ring keyed on the target's pre-relabel address only,
/// so label changes never move a target and one address lands on one collector in every job (spec §4.2).
/// </summary>
public sealed class ConsistentHashingStrategy : IAllocationStrategy
{
    public const string StrategyName = "consistent-hashing";

    private readonly RingVersion _version;
    private ConsistentHashRing _ring;

    public ConsistentHashingStrategy(RingVersion version)
    {
        _version = version;
        _ring = new ConsistentHashRing([], version);
    }

    public string Name => StrategyName;

    public RingVersion Version => _version;

    public void SetCollectors(IReadOnlyDictionary<string, Collector> collectors)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        _ring = new ConsistentHashRing(collectors.Keys, _version);
    }

    public string? Assign(TargetItem item, string? current, IReadOnlyDictionary<string, Collector> collectors, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(collectors);
        var owner = _ring.Locate(item.TargetUrl);
        if (owner is null || !collectors.ContainsKey(owner))
        {
            reason = owner is null ? "no collectors are registered" : $"unknown collector {owner}";
            return null;
        }

        reason = null;
        return owner;
    }
}
