namespace Quartermaster.Core.Explain;

/// <summary>
/// Targets of one job that share an identity after relabeling are deduplicated: only the last one discovered is
/// served. <see cref="Served"/> says whether the explained target is that one.
/// </summary>
public sealed record TargetCollision(bool Served, IReadOnlyList<CollidingTarget> Others);
