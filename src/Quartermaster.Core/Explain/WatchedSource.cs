namespace Quartermaster.Core.Explain;

/// <summary>
/// One discovery source of a job: its kind (<c>static</c>, <c>file_sd</c>, <c>http_sd</c>, <c>kubernetes_sd</c>),
/// its key, what it watches in words, its last error, and the permissions it needs that the preflight found missing.
/// </summary>
public sealed record WatchedSource(
    string Kind, string Key, string Watches, bool CouldHaveFound, string? LastError, IReadOnlyList<string> MissingPermissions);
