using System.Text;
using k8s.Models;
using Quartermaster.Kubernetes.Watch;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// Secrets and ConfigMaps read from the shared list-watch caches, one pair per namespace: the namespaces of
/// <c>prometheus_cr.secret_namespaces</c> from the start, any other allowed namespace from its first reference. A
/// change of a referenced object (or any newly added one, which may be a missing reference) calls back, so the
/// resources that use it are regenerated.
/// </summary>
internal sealed class KubernetesAssetStore : IAssetStore, IAsyncDisposable
{
    private readonly KubernetesCacheRegistry _registry;
    private readonly Func<string, bool> _namespaceAllowed;
    private readonly Action _changed;
    private readonly Dictionary<string, Watched> _namespaces = new(StringComparer.Ordinal);
    private readonly HashSet<(AssetKind Kind, string Namespace, string Name)> _referenced = [];
    private readonly Lock _gate = new();

    public KubernetesAssetStore(KubernetesCacheRegistry registry, Func<string, bool> namespaceAllowed, Action changed)
    {
        _registry = registry;
        _namespaceAllowed = namespaceAllowed;
        _changed = changed;
    }

    /// <summary>Starts watching the Secrets and ConfigMaps of <paramref name="ns"/> (no-op when already watched or not allowed).</summary>
    public void Watch(string ns)
    {
        if (_namespaceAllowed(ns))
        {
            Ensure(ns);
        }
    }

    public bool TryGet(AssetReference reference, out string value, out string error)
    {
        ArgumentNullException.ThrowIfNull(reference);
        value = "";
        var what = $"{(reference.Kind == AssetKind.Secret ? "secret" : "configmap")} {reference.Namespace}/{reference.Name}";
        if (!_namespaceAllowed(reference.Namespace))
        {
            error = $"{what}: namespace {reference.Namespace} is not allowed by prometheus_cr";
            return false;
        }

        lock (_gate)
        {
            _referenced.Add((reference.Kind, reference.Namespace, reference.Name));
        }

        var watched = Ensure(reference.Namespace);
        var cache = reference.Kind == AssetKind.Secret ? (IResourceCache)watched.Secrets.Cache : watched.ConfigMaps.Cache;
        if (!cache.Ready.IsCompleted)
        {
            error = $"{what}: not loaded yet{(cache.LastError is { } e ? " (" + e + ")" : "")}";
            return false;
        }

        var key = ObjectKeys.Of(reference.Namespace, reference.Name);
        if (reference.Kind == AssetKind.Secret)
        {
            var secret = watched.Secrets.Cache.Get(key);
            if (secret is null)
            {
                error = $"{what} not found";
                return false;
            }

            if (secret.Data is { } data && data.TryGetValue(reference.Key, out var bytes))
            {
                value = Encoding.UTF8.GetString(bytes);
                error = "";
                return true;
            }

            if (secret.StringData is { } stringData && stringData.TryGetValue(reference.Key, out var text))
            {
                value = text;
                error = "";
                return true;
            }
        }
        else
        {
            var configMap = watched.ConfigMaps.Cache.Get(key);
            if (configMap is null)
            {
                error = $"{what} not found";
                return false;
            }

            if (configMap.Data is { } data && data.TryGetValue(reference.Key, out var text))
            {
                value = text;
                error = "";
                return true;
            }
        }

        error = $"key {reference.Key} not found in {what}";
        return false;
    }

    /// <summary>
    /// A token that changes whenever what <see cref="TryGet"/> would answer for <paramref name="reference"/> can change:
    /// the holding object's resourceVersion, or whether it is absent, or whether its namespace is loaded at all.
    /// </summary>
    public string VersionOf(AssetReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Watched? watched;
        lock (_gate)
        {
            _namespaces.TryGetValue(reference.Namespace, out watched);
        }

        if (watched is null)
        {
            return "unwatched";
        }

        var key = ObjectKeys.Of(reference.Namespace, reference.Name);
        if (reference.Kind == AssetKind.Secret)
        {
            return !watched.Secrets.Cache.Ready.IsCompleted ? "loading" : watched.Secrets.Cache.Get(key)?.Metadata?.ResourceVersion ?? "absent";
        }

        return !watched.ConfigMaps.Cache.Ready.IsCompleted ? "loading" : watched.ConfigMaps.Cache.Get(key)?.Metadata?.ResourceVersion ?? "absent";
    }

    public async ValueTask DisposeAsync()
    {
        List<Watched> all;
        lock (_gate)
        {
            all = [.. _namespaces.Values];
            _namespaces.Clear();
        }

        foreach (var watched in all)
        {
            watched.SecretSubscription.Dispose();
            watched.ConfigMapSubscription.Dispose();
            await watched.Secrets.DisposeAsync().ConfigureAwait(false);
            await watched.ConfigMaps.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Watched Ensure(string ns)
    {
        lock (_gate)
        {
            if (_namespaces.TryGetValue(ns, out var watched))
            {
                return watched;
            }

            var secrets = _registry.Acquire(KubernetesResources.Secrets, ns);
            var configMaps = _registry.Acquire(KubernetesResources.ConfigMaps, ns);
            watched = new Watched(
                secrets,
                configMaps,
                secrets.Cache.Subscribe(e => OnChange(AssetKind.Secret, e.Type, e.New?.Metadata ?? e.Old?.Metadata)),
                configMaps.Cache.Subscribe(e => OnChange(AssetKind.ConfigMap, e.Type, e.New?.Metadata ?? e.Old?.Metadata)));
            _namespaces[ns] = watched;
            _ = secrets.Cache.Ready.ContinueWith(_ => _changed(), TaskScheduler.Default);
            _ = configMaps.Cache.Ready.ContinueWith(_ => _changed(), TaskScheduler.Default);
            return watched;
        }
    }

    private void OnChange(AssetKind kind, CacheEventType type, V1ObjectMeta? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        bool referenced;
        lock (_gate)
        {
            referenced = _referenced.Contains((kind, metadata.NamespaceProperty ?? "", metadata.Name ?? ""));
        }

        if (referenced)
        {
            _changed();
        }
    }

    private sealed record Watched(
        CacheLease<V1Secret> Secrets, CacheLease<V1ConfigMap> ConfigMaps, IDisposable SecretSubscription, IDisposable ConfigMapSubscription);
}
