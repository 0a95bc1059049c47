namespace Quartermaster.Kubernetes.Watch;

/// <summary>The query parameters of a list or watch request.</summary>
public sealed record ListQuery(
    string? LabelSelector,
    string? FieldSelector,
    string? ResourceVersion,
    string? Continue,
    int? Limit,
    bool Watch)
{
    /// <summary>Set on watch requests, so the server also sends BOOKMARK events with fresh resource versions.</summary>
    public bool? AllowWatchBookmarks => Watch ? true : null;

    public bool? WatchFlag => Watch ? true : null;
}
