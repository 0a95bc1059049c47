namespace Quartermaster.Core.Explain;

/// <summary>
/// A configured job considered for a target that was never discovered: what it watches and whether it could have
/// found the target (<see cref="Reason"/> says why or why not).
/// </summary>
public sealed record CandidateJob(string Job, bool CouldHaveFound, string Reason, IReadOnlyList<WatchedSource> Sources);
