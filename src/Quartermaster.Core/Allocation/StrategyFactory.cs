using Quartermaster.Core.Config;

namespace Quartermaster.Core.Allocation;

/// <summary>Builds the configured allocation strategy.</summary>
public static class StrategyFactory
{
    public static readonly IReadOnlyList<string> Names =
        [ConsistentHashingStrategy.StrategyName, LeastWeightedStrategy.StrategyName, PerNodeStrategy.StrategyName];

    public static IAllocationStrategy Create(TargetAllocatorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ring = ParseRingVersion(config.ConsistentHashingRingVersion);
        var fallback = string.IsNullOrEmpty(config.AllocationFallbackStrategy) || config.AllocationStrategy != PerNodeStrategy.StrategyName
            ? null
            : CreateSimple(config.AllocationFallbackStrategy, ring, null);
        return CreateSimple(config.AllocationStrategy, ring, fallback);
    }

    public static RingVersion ParseRingVersion(string value) => value switch
    {
        "v1.0" or "v1.0.0" => RingVersion.V1_0_0,
        "v0.10" or "v0.10.0" or "" => RingVersion.V0_10_0,
        _ => throw new ArgumentException($"unknown consistent hashing ring version {value}; expected v0.10 or v1.0", nameof(value)),
    };

    private static IAllocationStrategy CreateSimple(string name, RingVersion ring, IAllocationStrategy? fallback) => name switch
    {
        ConsistentHashingStrategy.StrategyName => new ConsistentHashingStrategy(ring),
        LeastWeightedStrategy.StrategyName => new LeastWeightedStrategy(),

        // per-node as its own fallback would recurse forever upstream; here a nested per-node has no fallback.
        PerNodeStrategy.StrategyName => new PerNodeStrategy(fallback),
        _ => throw new ArgumentException($"unknown allocation strategy {name}; expected one of {string.Join(", ", Names)}", nameof(name)),
    };
}
