namespace Quartermaster.Core.Explain;

/// <summary>
/// The strategy's decision for a kept target: its collector (and that collector's node), or why it has none.
/// <see cref="TargetNode"/> is the node per-node allocation keys on; empty when the target has none.
/// </summary>
public sealed record AllocationDecision(
    string Strategy,
    string? Collector,
    string? CollectorNode,
    string TargetNode,
    string? UnassignedReason,
    long AssignedGeneration,
    IReadOnlyList<string> Collectors,
    IReadOnlyList<string> NotReadyCollectors);
