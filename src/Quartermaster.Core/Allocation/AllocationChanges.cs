namespace Quartermaster.Core.Allocation;

/// <summary>What changed in the allocation since the last drain.</summary>
public sealed record AllocationChanges(
    IReadOnlyList<(string Job, string Collector)> DirtyPairs,
    IReadOnlyList<string> DirtyJobs,
    bool CollectorsChanged)
{
    /// <summary>Targets moved between collectors since the last drain, indexed by <see cref="MoveReason"/>.</summary>
    public IReadOnlyList<int> Moves { get; init; } = new int[MoveReasons.Count];

    public bool IsEmpty => DirtyPairs.Count == 0 && DirtyJobs.Count == 0 && !CollectorsChanged;

    public int MovesFor(MoveReason reason) => Moves[(int)reason];
}
