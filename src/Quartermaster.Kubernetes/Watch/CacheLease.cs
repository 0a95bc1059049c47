using k8s;
using k8s.Models;

namespace Quartermaster.Kubernetes.Watch;

/// <summary>A reference to a shared cache; disposing it releases the reference once.</summary>
public sealed class CacheLease<T> : IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubernetesCacheRegistry _registry;
    private int _released;

    internal CacheLease(ResourceCache<T> cache, KubernetesCacheRegistry registry)
    {
        Cache = cache;
        _registry = registry;
    }

    public ResourceCache<T> Cache { get; }

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? _registry.ReleaseAsync(Cache) : ValueTask.CompletedTask;
}
