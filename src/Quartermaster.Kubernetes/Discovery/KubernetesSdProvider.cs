using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Kubernetes.Watch;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>
/// One <c>kubernetes_sd_config</c>: watches the kinds its role needs through shared caches and publishes the target
/// groups of the objects that changed (an empty group for a deleted object), as Prometheus' Kubernetes discovery does.
/// </summary>
/// <remarks>
/// Nothing is published until every cache has completed its first list; then all groups are published at once.
/// While a cache fails it keeps its objects, so the last groups stay in force; failures go to the
/// <see cref="SourceStatus"/>.
/// </remarks>
public sealed partial class KubernetesSdProvider : IDiscoveryProvider
{
    public const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    private readonly KubernetesSdConfig _config;
    private readonly KubernetesCacheRegistry _registry;
    private readonly SourceStatus _status;
    private readonly ILogger _logger;
    private readonly Func<string> _ownNamespace;
    private readonly AttachMetadata _attach;
    private readonly Channel<Change> _changes = Channel.CreateUnbounded<Change>(new UnboundedChannelOptions { SingleReader = true });

    private readonly List<ResourceCache<V1Pod>> _pods = [];
    private readonly List<ResourceCache<V1Service>> _services = [];
    private readonly List<ResourceCache<V1Endpoints>> _endpoints = [];
    private readonly List<ResourceCache<V1EndpointSlice>> _slices = [];
    private readonly List<ResourceCache<V1Ingress>> _ingresses = [];
    private readonly List<ResourceCache<V1ReplicaSet>> _replicaSets = [];
    private readonly List<ResourceCache<V1Job>> _jobs = [];
    private ResourceCache<V1Node>? _nodes;
    private ResourceCache<V1Namespace>? _namespaces;

    /// <summary>Creates the provider; <paramref name="ownNamespace"/> reads the pod's namespace (default: the service account file).</summary>
    public KubernetesSdProvider(
        KubernetesSdConfig config,
        KubernetesCacheRegistry registry,
        SourceStatus status,
        ILogger? logger = null,
        Func<string>? ownNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(status);
        var errors = KubernetesSdValidator.Validate(config);
        if (errors.Count > 0)
        {
            throw new ConfigException(string.Join("; ", errors));
        }

        _config = config;
        _registry = registry;
        _status = status;
        _logger = logger ?? NullLogger.Instance;
        _ownNamespace = ownNamespace ?? (() => File.ReadAllText(ServiceAccountNamespaceFile).Trim());
        _attach = AttachMetadata.From(config);
    }

    private enum Kind
    {
        Pod,
        Service,
        Endpoints,
        EndpointSlice,
        Node,
        Ingress,
        Namespace,
        ReplicaSet,
        Job,
    }

    public string Mechanism => "kubernetes_sd";

    public async Task RunAsync(Action<IReadOnlyList<TargetGroup>> publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        var leases = new List<IAsyncDisposable>();
        var subscriptions = new List<IDisposable>();
        var caches = new List<IResourceCache>();
        try
        {
            AcquireCaches(leases, subscriptions, caches);
            foreach (var cache in caches)
            {
                cache.StatusChanged += OnCacheStatus;
            }

            await Task.WhenAll(caches.Select(c => c.Ready)).WaitAsync(cancellationToken).ConfigureAwait(false);
            ReportStatus(caches);

            // Everything queued so far is covered by the full translation below.
            while (_changes.Reader.TryRead(out _))
            {
            }

            var lookup = new Lookup(this);
            var initial = new List<TargetGroup>();
            foreach (var key in AllPrimaryKeys())
            {
                if (Translate(key, lookup) is { } group)
                {
                    initial.Add(group);
                }
            }

            publish(initial);

            var dirty = new HashSet<string>(StringComparer.Ordinal);
            while (await _changes.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                dirty.Clear();
                while (_changes.Reader.TryRead(out var change))
                {
                    CollectDirty(change, dirty);
                }

                var groups = new List<TargetGroup>(dirty.Count);
                foreach (var key in dirty)
                {
                    if (Translate(key, lookup) is { } group)
                    {
                        groups.Add(group);
                    }
                }

                if (groups.Count > 0)
                {
                    publish(groups);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var cache in caches)
            {
                cache.StatusChanged -= OnCacheStatus;
            }

            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }

            foreach (var lease in leases)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }

        void OnCacheStatus(IResourceCache cache, string? error) => ReportStatus(caches);
    }

    private void ReportStatus(List<IResourceCache> caches)
    {
        foreach (var cache in caches)
        {
            if (cache.LastError is { } error)
            {
                _status.ReportFailure(error);
                return;
            }
        }

        _status.ReportSuccess();
    }

    private List<string?> Namespaces()
    {
        var names = new List<string?>();
        foreach (var name in _config.NamespaceNames)
        {
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        if (_config.OwnNamespace)
        {
            var own = _ownNamespace();
            if (!names.Contains(own))
            {
                names.Add(own);
            }
        }

        return names.Count == 0 ? [null] : names;
    }

    private (string Label, string Field) SelectorFor(string role)
    {
        foreach (var selector in _config.Selectors)
        {
            if (selector.Role == role)
            {
                return (selector.Label ?? "", selector.Field ?? "");
            }
        }

        return ("", "");
    }

    private void AcquireCaches(List<IAsyncDisposable> leases, List<IDisposable> subscriptions, List<IResourceCache> caches)
    {
        var role = _config.Role;
        var namespaces = Namespaces();
        var needPods = role is "pod" or "endpoints" or "endpointslice";
        var needServices = role is "service" or "endpoints" or "endpointslice";
        foreach (var ns in namespaces)
        {
            if (needPods)
            {
                Add(_registry.Acquire(KubernetesResources.Pods, ns, SelectorFor("pod").Label, SelectorFor("pod").Field), Kind.Pod, _pods);
            }

            if (needServices)
            {
                var (label, field) = SelectorFor("service");
                Add(_registry.Acquire(KubernetesResources.Services, ns, label, field), Kind.Service, _services);
            }

            if (role == "endpoints")
            {
                var (label, field) = SelectorFor("endpoints");
                Add(_registry.Acquire(KubernetesResources.Endpoints, ns, label, field), Kind.Endpoints, _endpoints);
            }

            if (role == "endpointslice")
            {
                var (label, field) = SelectorFor("endpointslice");
                Add(_registry.Acquire(KubernetesResources.EndpointSlices, ns, label, field), Kind.EndpointSlice, _slices);
            }

            if (role == "ingress")
            {
                var (label, field) = SelectorFor("ingress");
                Add(_registry.Acquire(KubernetesResources.Ingresses, ns, label, field), Kind.Ingress, _ingresses);
            }

            if (role == "pod" && _attach.Deployment)
            {
                Add(_registry.Acquire(KubernetesResources.ReplicaSets, ns), Kind.ReplicaSet, _replicaSets);
            }

            if (role == "pod" && _attach.CronJob)
            {
                Add(_registry.Acquire(KubernetesResources.Jobs, ns), Kind.Job, _jobs);
            }
        }

        var nodeMetadata = _attach.Node && needPods;
        if (role == "node" || nodeMetadata)
        {
            // The node selector also narrows the node metadata cache of the pod role.
            var (label, field) = role is "node" or "pod" ? SelectorFor("node") : ("", "");
            var list = new List<ResourceCache<V1Node>>();
            Add(_registry.Acquire(KubernetesResources.Nodes, null, label, field), Kind.Node, list);
            _nodes = list[0];
        }

        if (_attach.Namespace && role != "node")
        {
            var list = new List<ResourceCache<V1Namespace>>();
            Add(_registry.Acquire(KubernetesResources.Namespaces, null), Kind.Namespace, list);
            _namespaces = list[0];
        }

        void Add<T>(CacheLease<T> lease, Kind kind, List<ResourceCache<T>> target)
            where T : class, k8s.IKubernetesObject<V1ObjectMeta>
        {
            leases.Add(lease);
            caches.Add(lease.Cache);
            target.Add(lease.Cache);
            subscriptions.Add(lease.Cache.Subscribe(e => _changes.Writer.TryWrite(new Change(kind, e.Key, e.Old, e.New))));
        }
    }

    private IEnumerable<string> AllPrimaryKeys() => _config.Role switch
    {
        "pod" => Keys(_pods),
        "service" => Keys(_services),
        "endpoints" => Keys(_endpoints),
        "endpointslice" => Keys(_slices),
        "ingress" => Keys(_ingresses),
        "node" => _nodes is null ? [] : Keys([_nodes]),
        _ => [],
    };

    private static IEnumerable<string> Keys<T>(List<ResourceCache<T>> caches)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        foreach (var cache in caches)
        {
            foreach (var obj in cache.List())
            {
                yield return ObjectKeys.Of(obj);
            }
        }
    }

    /// <summary>Adds the keys of the role's objects whose group <paramref name="change"/> may alter.</summary>
    private void CollectDirty(Change change, HashSet<string> dirty)
    {
        var role = _config.Role;
        var (ns, name) = Split(change.Key);
        switch (change.Kind)
        {
            case Kind.Pod when role == "pod":
            case Kind.Service when role == "service":
            case Kind.Endpoints when role == "endpoints":
            case Kind.EndpointSlice when role == "endpointslice":
            case Kind.Ingress when role == "ingress":
            case Kind.Node when role == "node":
                dirty.Add(change.Key);
                break;
            case Kind.Service when role == "endpoints":
                dirty.Add(change.Key);
                break;
            case Kind.Service when role == "endpointslice":
                foreach (var slice in Objects(_slices, ns))
                {
                    if (slice.Metadata?.Labels?.TryGetValue(EndpointSliceTranslator.ServiceNameLabel, out var service) == true && service == name)
                    {
                        dirty.Add(ObjectKeys.Of(slice));
                    }
                }

                break;
            case Kind.Pod when role == "endpoints":
                // Upstream reacts to a pod update only when its phase changed.
                if (change.Old is V1Pod oldPod && change.New is V1Pod newPod && oldPod.Status?.Phase != newPod.Status?.Phase)
                {
                    foreach (var endpoints in Objects(_endpoints, ns))
                    {
                        if (ReferencesPod(endpoints, name))
                        {
                            dirty.Add(ObjectKeys.Of(endpoints));
                        }
                    }
                }

                break;
            case Kind.Node when role == "pod":
                foreach (var pod in Objects(_pods, null))
                {
                    if (pod.Spec?.NodeName == name)
                    {
                        dirty.Add(ObjectKeys.Of(pod));
                    }
                }

                break;
            case Kind.Node when role == "endpoints":
                foreach (var endpoints in Objects(_endpoints, null))
                {
                    if (ReferencesNode(endpoints, name))
                    {
                        dirty.Add(ObjectKeys.Of(endpoints));
                    }
                }

                break;
            case Kind.Node when role == "endpointslice":
                foreach (var slice in Objects(_slices, null))
                {
                    if (slice.Endpoints?.Any(e => e.NodeName == name || e.TargetRef is { Kind: "Node" } r && r.Name == name) == true)
                    {
                        dirty.Add(ObjectKeys.Of(slice));
                    }
                }

                break;
            case Kind.Namespace:
                AddAllInNamespace(change.Key, dirty);
                break;
            case Kind.ReplicaSet or Kind.Job when role == "pod":
                foreach (var pod in Objects(_pods, ns))
                {
                    if (PodTranslator.ControllerOf(pod.Metadata)?.Name == name)
                    {
                        dirty.Add(ObjectKeys.Of(pod));
                    }
                }

                break;
            default:
                break;
        }
    }

    private void AddAllInNamespace(string ns, HashSet<string> dirty)
    {
        IEnumerable<k8s.IKubernetesObject<V1ObjectMeta>> objects = _config.Role switch
        {
            "pod" => Objects(_pods, ns),
            "service" => Objects(_services, ns),
            "endpoints" => Objects(_endpoints, ns),
            "endpointslice" => Objects(_slices, ns),
            "ingress" => Objects(_ingresses, ns),
            _ => [],
        };
        foreach (var obj in objects)
        {
            dirty.Add(ObjectKeys.Of(obj));
        }
    }

    private static IEnumerable<T> Objects<T>(List<ResourceCache<T>> caches, string? ns)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        foreach (var cache in caches)
        {
            if (ns is not null && cache.Key.Namespace is not null && cache.Key.Namespace != ns)
            {
                continue;
            }

            foreach (var obj in cache.List())
            {
                if (ns is null || obj.Metadata?.NamespaceProperty == ns)
                {
                    yield return obj;
                }
            }
        }
    }

    private static bool ReferencesPod(V1Endpoints endpoints, string podName)
    {
        foreach (var subset in endpoints.Subsets ?? [])
        {
            foreach (var address in (subset.Addresses ?? []).Concat(subset.NotReadyAddresses ?? []))
            {
                if (address.TargetRef is { Kind: "Pod" } reference && reference.Name == podName)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool ReferencesNode(V1Endpoints endpoints, string nodeName)
    {
        foreach (var subset in endpoints.Subsets ?? [])
        {
            foreach (var address in (subset.Addresses ?? []).Concat(subset.NotReadyAddresses ?? []))
            {
                if (address.NodeName == nodeName || address.TargetRef is { Kind: "Node" } reference && reference.Name == nodeName)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static (string? Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>The group of the role object with <paramref name="key"/>: translated if cached, else empty (deleted).</summary>
    private TargetGroup? Translate(string key, Lookup lookup)
    {
        var (ns, name) = Split(key);
        switch (_config.Role)
        {
            case "pod":
                return Find(_pods, key) is { } pod ? PodTranslator.Translate(pod, lookup, _attach) : TargetGroup.Empty(PodTranslator.SourceOf(ns, name));
            case "service":
                return Find(_services, key) is { } service
                    ? ServiceTranslator.Translate(service, lookup, _attach)
                    : TargetGroup.Empty(ServiceTranslator.SourceOf(ns, name));
            case "endpoints":
                return Find(_endpoints, key) is { } endpoints
                    ? EndpointsTranslator.Translate(endpoints, lookup, _attach)
                    : TargetGroup.Empty(EndpointsTranslator.SourceOf(ns, name));
            case "endpointslice":
                return Find(_slices, key) is { } slice
                    ? EndpointSliceTranslator.Translate(slice, lookup, _attach)
                    : TargetGroup.Empty(EndpointSliceTranslator.SourceOf(ns, name));
            case "ingress":
                return Find(_ingresses, key) is { } ingress
                    ? IngressTranslator.Translate(ingress, lookup, _attach)
                    : TargetGroup.Empty(IngressTranslator.SourceOf(ns, name));
            case "node":
                if (_nodes?.Get(key) is { } node)
                {
                    var group = NodeTranslator.Translate(node);
                    if (group is null)
                    {
                        LogNoNodeAddress(_logger, name);
                    }

                    return group;
                }

                return TargetGroup.Empty(NodeTranslator.SourceOf(name));
            default:
                return null;
        }
    }

    private static T? Find<T>(List<ResourceCache<T>> caches, string key)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        foreach (var cache in caches)
        {
            if (cache.Get(key) is { } obj)
            {
                return obj;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "No node address found for node {Node}")]
    private static partial void LogNoNodeAddress(ILogger logger, string node);

    private readonly record struct Change(Kind Kind, string Key, object? Old, object? New);

    private sealed class Lookup(KubernetesSdProvider provider) : IKubernetesObjectLookup
    {
        public V1Pod? GetPod(string ns, string name) => Find(provider._pods, ObjectKeys.Of(ns, name));

        public V1Service? GetService(string ns, string name) => Find(provider._services, ObjectKeys.Of(ns, name));

        public V1Node? GetNode(string name) => provider._nodes?.Get(name);

        public V1Namespace? GetNamespace(string name) => provider._namespaces?.Get(name);

        public V1ReplicaSet? GetReplicaSet(string ns, string name) => Find(provider._replicaSets, ObjectKeys.Of(ns, name));

        public V1Job? GetJob(string ns, string name) => Find(provider._jobs, ObjectKeys.Of(ns, name));
    }
}
