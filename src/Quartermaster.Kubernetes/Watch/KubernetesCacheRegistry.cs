using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Quartermaster.Kubernetes.Watch;

/// <summary>
/// The list-then-watch caches of one API client, shared by key: every provider that needs the same kind, namespace
/// and selectors gets the same cache, which stops when its last lease is released.
/// </summary>
public sealed class KubernetesCacheRegistry : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ResourceCacheOptions _options;
    private readonly Dictionary<CacheKey, Entry> _caches = [];
    private readonly object _gate = new();

    public KubernetesCacheRegistry(
        IKubernetes client, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null, ResourceCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = client;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _options = options ?? new ResourceCacheOptions();
    }

    /// <summary>Number of running caches.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _caches.Count;
            }
        }
    }

    /// <summary>A lease on the cache of <paramref name="resource"/> in <paramref name="ns"/> (null: all namespaces).</summary>
    public CacheLease<T> Acquire<T, TList>(KubernetesResource<T, TList> resource, string? ns, string labelSelector = "", string fieldSelector = "")
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        ArgumentNullException.ThrowIfNull(resource);
        var key = new CacheKey(resource.Plural, resource.Namespaced ? ns : null, labelSelector ?? "", fieldSelector ?? "");
        lock (_gate)
        {
            if (!_caches.TryGetValue(key, out var entry))
            {
                var cache = ResourceCacheFactory.Start(
                    _client, resource, key, _options, _timeProvider, _loggerFactory.CreateLogger("Quartermaster.Kubernetes.Watch.ResourceCache"));
                entry = new Entry(cache);
                _caches[key] = entry;
            }

            entry.References++;
            return new CacheLease<T>((ResourceCache<T>)entry.Cache, this);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Entry> entries;
        lock (_gate)
        {
            entries = [.. _caches.Values];
            _caches.Clear();
        }

        foreach (var entry in entries)
        {
            await ((IAsyncDisposable)entry.Cache).DisposeAsync().ConfigureAwait(false);
        }
    }

    internal async ValueTask ReleaseAsync(IResourceCache cache)
    {
        lock (_gate)
        {
            if (!_caches.TryGetValue(cache.Key, out var entry) || !ReferenceEquals(entry.Cache, cache) || --entry.References > 0)
            {
                return;
            }

            _caches.Remove(cache.Key);
        }

        await ((IAsyncDisposable)cache).DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Entry(IResourceCache cache)
    {
        public IResourceCache Cache { get; } = cache;

        public int References { get; set; }
    }
}
