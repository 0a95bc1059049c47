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
    private Collector[] _owners = [];

    public ConsistentHashingStrategy(RingVersion version)
    {
        _version = version;
        _ring = new ConsistentHashRing([], version);
    }

    public string Name => StrategyName;

    public bool IsOrderSensitive => false;

    public RingVersion Version => _version;

    public void SetCollectors(IReadOnlyDictionary<string, Collector> collectors)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        var ring = new ConsistentHashRing(collectors.Keys, _version);
        _owners = [.. ring.Members.Select(m => collectors[m])];
        _ring = ring;
    }

    public Collector? Assign(TargetItem item, Collector? current, IJobTargetCounts job, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(item);
        var index = _ring.LocateIndexOfHash(item.AddressHash);
        if (index < 0)
        {
            reason = Allocator.NoCollectorsReason;
            return null;
        }

        reason = null;
        return _owners[index];
    }
}
