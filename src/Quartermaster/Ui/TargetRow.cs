using Quartermaster.Core.Targets;

namespace Quartermaster.Ui;

/// <summary>One target as a page lists it: the item, and its collector or the reason it has none.</summary>
internal readonly record struct TargetRow(TargetItem Item, string? Collector, string? UnassignedReason);
