using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Quartermaster.Kubernetes.Watch;

/// <summary>Creates <see cref="ResourceCache{T}"/> instances bound to a client and a resource kind.</summary>
public static class ResourceCacheFactory
{
    /// <summary>Creates and starts a cache of <paramref name="resource"/> objects matching <paramref name="key"/>.</summary>
    public static ResourceCache<T> Start<T, TList>(
        IKubernetes client,
        KubernetesResource<T, TList> resource,
        CacheKey key,
        ResourceCacheOptions options,
        TimeProvider timeProvider,
        ILogger logger)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(key);
        var ns = resource.Namespaced ? key.Namespace : null;
        var cache = new ResourceCache<T>(
            key,
            async (query, ct) =>
            {
                using var response = await resource.List(client, ns, query, ct).ConfigureAwait(false);
                var body = response.Body;
                return (body.Items ?? [], body.Metadata?.ResourceVersion, body.Metadata?.ContinueProperty);
            },
            // The response-task overload is the one watch entry point that takes any list call (marked obsolete upstream).
#pragma warning disable CS0618
            (query, onError, ct) => resource.List(client, ns, query, ct).WatchAsync<T, TList>(onError, ct),
#pragma warning restore CS0618
            options,
            timeProvider,
            logger);
        cache.StartLoop();
        return cache;
    }
}
