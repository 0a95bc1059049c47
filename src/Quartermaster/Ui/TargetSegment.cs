using Quartermaster.Core.Serving;
using Quartermaster.Core.Targets;

namespace Quartermaster.Ui;

/// <summary>
/// A run of targets straight from the snapshot (one job's targets on one collector, or its unassigned ones), so a page
/// can skip whole runs by their length instead of walking every target before the one it shows.
/// </summary>
internal readonly struct TargetSegment
{
    private readonly TargetItem[]? _items;
    private readonly IReadOnlyList<UnassignedTarget>? _unassigned;
    private readonly string? _collector;

    public TargetSegment(string collector, TargetItem[] items)
    {
        _collector = collector;
        _items = items;
    }

    public TargetSegment(IReadOnlyList<UnassignedTarget> unassigned)
    {
        _unassigned = unassigned;
    }

    public int Count => _items?.Length ?? _unassigned?.Count ?? 0;

    public TargetRow this[int index] => _items is not null
        ? new TargetRow(_items[index], _collector, null)
        : new TargetRow(_unassigned![index].Item, null, _unassigned[index].Reason);
}
