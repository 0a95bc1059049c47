namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>One page of a list response.</summary>
internal sealed record ListPage(long ResourceVersion, IReadOnlyList<string> Items, ContinueToken? Continue, int RemainingItemCount);
