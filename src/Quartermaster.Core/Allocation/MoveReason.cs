namespace Quartermaster.Core.Allocation;

/// <summary>Why a target moved from one collector to another.</summary>
public enum MoveReason
{
    /// <summary>A collector joined and the strategy gave it the target (or the ring shifted it among the others).</summary>
    CollectorAdded,

    /// <summary>The target's collector left the collector set (or changed node).</summary>
    CollectorRemoved,

    /// <summary>The target's collector stayed not ready past <c>collector_not_ready_grace_period</c>.</summary>
    CollectorNotReady,

    /// <summary>The allocation strategy or its fallback changed.</summary>
    StrategyChanged,
}

/// <summary>The <c>reason</c> attribute values of <c>quartermaster_targets_moved</c>.</summary>
public static class MoveReasons
{
    public const int Count = 4;

    public static string Label(MoveReason reason) => reason switch
    {
        MoveReason.CollectorAdded => "collector_added",
        MoveReason.CollectorRemoved => "collector_removed",
        MoveReason.CollectorNotReady => "collector_not_ready",
        MoveReason.StrategyChanged => "strategy_changed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
