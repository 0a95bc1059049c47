using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// Where a kept target is: the item served under its identity (the last of any duplicates), its collector and that
/// collector's node, or the reason it has none, and the snapshot generation that first served it on that collector.
/// </summary>
public sealed record TargetPlacement(TargetItem Item, string? Collector, string? CollectorNode, string? UnassignedReason, long AssignedGeneration);
