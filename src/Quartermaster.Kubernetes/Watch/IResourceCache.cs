namespace Quartermaster.Kubernetes.Watch;

/// <summary>The kind-independent face of a list-then-watch cache.</summary>
public interface IResourceCache
{
    CacheKey Key { get; }

    /// <summary>Completes once the first full list has been applied; stays incomplete while the API cannot be reached.</summary>
    Task Ready { get; }

    /// <summary>Why the last list or watch failed, or null while healthy.</summary>
    string? LastError { get; }

    /// <summary>Raised (on the cache's loop) when <see cref="LastError"/> changes.</summary>
    event Action<IResourceCache, string?>? StatusChanged;
}
