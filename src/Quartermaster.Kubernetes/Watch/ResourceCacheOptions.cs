namespace Quartermaster.Kubernetes.Watch;

/// <summary>Retry and paging settings of the list-then-watch caches.</summary>
public sealed record ResourceCacheOptions
{
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Objects per list page (<c>limit</c>); each page follows the previous one's <c>continue</c> token.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Seed of the backoff jitter; null for a random seed.</summary>
    public int? JitterSeed { get; init; }
}
