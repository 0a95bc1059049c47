using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.Watch;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// Watches ServiceMonitors, PodMonitors, Probes and ScrapeConfigs (each only when the API server serves its CRD),
/// the namespaces their selectors read, and the Secrets and ConfigMaps they reference; turns the selected resources
/// into jobs through a <see cref="ResourceGenerator"/>, and reports each new generation.
/// </summary>
/// <remarks>
/// Changes are coalesced: a generation starts at most once per <see cref="PrometheusOperatorWatcherOptions.MinInterval"/>.
/// Each resource's jobs are cached by its resourceVersion and the resourceVersions of the Secrets and ConfigMaps it
/// read, so a change to one resource regenerates only that resource. When a resource that generated before fails
/// because of a Secret or ConfigMap (deleted, key missing), its last good jobs are kept and it is reported in
/// <see cref="PrometheusOperatorOutput.KeptLastGood"/>; any other failure rejects it alone.
/// </remarks>
public sealed partial class PrometheusOperatorWatcher : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly KubernetesCacheRegistry _registry;
    private readonly PrometheusOperatorWatcherOptions _options;
    private readonly ResourceGenerator _generator;
    private readonly Action<PrometheusOperatorOutput> _publish;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResourceSelection _selection;
    private readonly KubernetesAssetStore _assets;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(MonitoringKind Kind, CacheLease<MonitoringObject> Lease)> _monitors = [];
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Dictionary<string, CachedResource> _generated = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loggedRejections = new(StringComparer.Ordinal);
    private CacheLease<V1Namespace>? _namespaces;
    private IReadOnlyList<MonitoringKind> _unavailable = [];
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _started;

    public PrometheusOperatorWatcher(
        IKubernetes client,
        KubernetesCacheRegistry registry,
        PrometheusOperatorWatcherOptions options,
        ResourceGenerator generator,
        Action<PrometheusOperatorOutput> publish,
        TimeProvider timeProvider,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _registry = registry;
        _options = options;
        _generator = generator;
        _publish = publish;
        _time = timeProvider;
        _logger = logger;
        _selection = new ResourceSelection(options.Config, options.CollectorNamespace);
        _assets = new KubernetesAssetStore(registry, _selection.NamespaceAllowed, Notify);
    }

    /// <summary>The last generation, or null before the first.</summary>
    public PrometheusOperatorOutput? Current { get; private set; }

    /// <summary>Kinds whose CRD the API server does not serve.</summary>
    public IReadOnlyList<MonitoringKind> UnavailableKinds => _unavailable;

    /// <summary>Checks which CRDs are served, starts the caches and the generation loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = _time.GetUtcNow();
        var unavailable = new List<MonitoringKind>();
        foreach (var kind in Enum.GetValues<MonitoringKind>())
        {
            if (!await IsServedAsync(kind, cancellationToken).ConfigureAwait(false))
            {
                unavailable.Add(kind);
                var (version, plural) = MonitoringResources.CoordinatesOf(kind);
                LogCrdMissing(_logger, plural, MonitoringResources.Group + "/" + version);
            }
        }

        _unavailable = unavailable;
        _namespaces = _registry.Acquire(KubernetesResources.Namespaces, null);
        _subscriptions.Add(_namespaces.Cache.Subscribe(OnNamespace));
        _ = _namespaces.Cache.Ready.ContinueWith(_ => Notify(), TaskScheduler.Default);
        foreach (var kind in Enum.GetValues<MonitoringKind>().Except(unavailable))
        {
            var resource = MonitoringResources.ResourceOf(kind);
            IEnumerable<string?> namespaces = _selection.WatchedNamespaces is { } allowed ? allowed.Select(n => (string?)n) : [null];
            foreach (var ns in namespaces)
            {
                var lease = _registry.Acquire(resource, ns);
                _monitors.Add((kind, lease));
                _subscriptions.Add(lease.Cache.Subscribe(_ => Notify()));
                _ = lease.Cache.Ready.ContinueWith(_ => Notify(), TaskScheduler.Default);
            }
        }

        foreach (var ns in _options.SecretNamespaces)
        {
            _assets.Watch(ns);
        }

        // A cache that never syncs (no permission, API down) must not hold back the others forever.
        _ = Task.Delay(_options.SyncTimeout, _time, _stop.Token).ContinueWith(_ => Notify(), TaskScheduler.Default);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Asks for a generation (coalesced with any pending one).</summary>
    public void Notify() => _signal.Writer.TryWrite(true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        foreach (var (_, lease) in _monitors)
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }

        if (_namespaces is not null)
        {
            await _namespaces.DisposeAsync().ConfigureAwait(false);
        }

        await _assets.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task<bool> IsServedAsync(MonitoringKind kind, CancellationToken cancellationToken)
    {
        var (version, plural) = MonitoringResources.CoordinatesOf(kind);
        try
        {
            var list = await _client.CustomObjects.GetAPIResourcesAsync(MonitoringResources.Group, version, cancellationToken).ConfigureAwait(false);
            return list.Resources?.Any(r => r.Name == plural) == true;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As upstream: when discovery itself fails, watch anyway; the cache reports its own errors.
            LogDiscoveryFailed(_logger, plural, ex.Message);
            return true;
        }
    }

    private void OnNamespace(CacheEvent<V1Namespace> change)
    {
        if (change.Type != CacheEventType.Modified
            || _selection.NamespaceSelectionChanged(change.Key, change.Old?.Metadata?.Labels as IReadOnlyDictionary<string, string>, change.New?.Metadata?.Labels as IReadOnlyDictionary<string, string>))
        {
            Notify();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var last = DateTimeOffset.MinValue;
        try
        {
            while (await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var wait = last == DateTimeOffset.MinValue ? TimeSpan.Zero : last + _options.MinInterval - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }

                _signal.Reader.TryRead(out _);
                if (!Synced() && _time.GetUtcNow() - _started < _options.SyncTimeout)
                {
                    continue;
                }

                try
                {
                    var output = Generate();
                    last = _time.GetUtcNow();
                    Current = output;
                    _publish(output);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogGenerationFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private bool Synced() =>
        _namespaces is { } ns && ns.Cache.Ready.IsCompleted && _monitors.All(m => m.Lease.Cache.Ready.IsCompleted);

    /// <summary>Builds one generation from the caches' current contents.</summary>
    internal PrometheusOperatorOutput Generate()
    {
        var namespaceLabels = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var ns in _namespaces?.Cache.List() ?? [])
        {
            if (ns.Metadata?.Name is { } name)
            {
                namespaceLabels[name] = ns.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>();
            }
        }

        var selected = new List<MonitoringResource>();
        foreach (var (kind, lease) in _monitors)
        {
            foreach (var obj in lease.Cache.List())
            {
                var resource = MonitoringResources.ToResource(kind, obj);
                if (_selection.Selects(kind, resource.Namespace, resource.Labels, namespaceLabels.GetValueOrDefault(resource.Namespace)))
                {
                    selected.Add(resource);
                }
            }
        }

        selected.Sort((a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Key, b.Key));
        var jobs = new List<ScrapeConfig>();
        var rejected = new List<ResourceRejection>();
        var keptLastGood = new List<ResourceRejection>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var regenerated = 0;
        foreach (var resource in selected)
        {
            var key = resource.Kind + "/" + resource.Key;
            wanted.Add(key);
            _generated.TryGetValue(key, out var cached);
            if (cached is null || !cached.IsCurrent(resource.ResourceVersion, _assets))
            {
                regenerated++;
                cached = Regenerate(resource, cached);
                _generated[key] = cached;
            }

            jobs.AddRange(cached.Jobs);
            if (cached.Rejection is { } rejection)
            {
                (cached.KeptLastGood ? keptLastGood : rejected).Add(rejection);
            }
        }

        foreach (var key in _generated.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            _generated.Remove(key);
        }

        _loggedRejections.IntersectWith(rejected.Concat(keptLastGood).Select(Describe));
        return new PrometheusOperatorOutput(jobs, rejected, keptLastGood, _unavailable, regenerated);
    }

    private CachedResource Regenerate(MonitoringResource resource, CachedResource? previous)
    {
        var recorder = new RecordingAssetStore(_assets);
        // Versions are taken before each read, so a change that lands during generation is seen as a change later.
        ResourceOutput output;
        try
        {
            output = _generator(resource, recorder);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            output = ResourceOutput.Rejected(resource, ex.Message);
        }

        // The versions of everything read, including failed reads, so a later fix of a missing Secret regenerates.
        var versions = recorder.Versions.ToList();
        foreach (var reference in output.AssetsUsed.Where(r => !recorder.Versions.ContainsKey(r)))
        {
            versions.Add(new(reference, _assets.VersionOf(reference)));
        }
        if (output.Rejection is not { } rejection)
        {
            return new CachedResource(resource.ResourceVersion, versions, output.Jobs, null, KeptLastGood: false, Good: true);
        }

        if (recorder.Failures.Count > 0 && previous is { Good: true })
        {
            var flagged = rejection with { Reason = rejection.Reason + " (last good jobs kept)" };
            LogKeptLastGood(flagged);
            return new CachedResource(resource.ResourceVersion, versions, previous.Jobs, flagged, KeptLastGood: true, Good: true);
        }

        LogRejected(rejection);
        return new CachedResource(resource.ResourceVersion, versions, [], rejection, KeptLastGood: false, Good: false);
    }

    private void LogRejected(ResourceRejection rejection)
    {
        if (_loggedRejections.Add(Describe(rejection)))
        {
            LogResourceRejected(_logger, rejection.Kind, rejection.Namespace, rejection.Name, rejection.Reason);
        }
    }

    private void LogKeptLastGood(ResourceRejection rejection)
    {
        if (_loggedRejections.Add(Describe(rejection)))
        {
            LogResourceKeptLastGood(_logger, rejection.Kind, rejection.Namespace, rejection.Name, rejection.Reason);
        }
    }

    private static string Describe(ResourceRejection r) => $"{r.Kind}/{r.Namespace}/{r.Name}: {r.Reason}";

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "CRD not available, skipping informer: {Plural} in {GroupVersion} is not served by the API server")]
    private static partial void LogCrdMissing(ILogger logger, string plural, string groupVersion);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "API discovery of {Plural} failed; watching it anyway: {Reason}")]
    private static partial void LogDiscoveryFailed(ILogger logger, string plural, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Kind} {Namespace}/{Name} rejected: {Reason}")]
    private static partial void LogResourceRejected(ILogger logger, MonitoringKind kind, string @namespace, string name, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Kind} {Namespace}/{Name} could not be regenerated: {Reason}")]
    private static partial void LogResourceKeptLastGood(ILogger logger, MonitoringKind kind, string @namespace, string name, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Generating the Prometheus Operator jobs failed; the previous jobs are kept")]
    private static partial void LogGenerationFailed(ILogger logger, Exception exception);

    private sealed record CachedResource(
        string ResourceVersion,
        IReadOnlyList<KeyValuePair<AssetReference, string>> Assets,
        IReadOnlyList<ScrapeConfig> Jobs,
        ResourceRejection? Rejection,
        bool KeptLastGood,
        bool Good)
    {
        public bool IsCurrent(string resourceVersion, KubernetesAssetStore assets) =>
            ResourceVersion == resourceVersion && Assets.All(a => a.Value == assets.VersionOf(a.Key));
    }

    /// <summary>Passes reads through and remembers what was read and what failed.</summary>
    private sealed class RecordingAssetStore(KubernetesAssetStore inner) : IAssetStore
    {
        public Dictionary<AssetReference, string> Versions { get; } = [];

        public List<string> Failures { get; } = [];

        public bool TryGet(AssetReference reference, out string value, out string error)
        {
            Versions.TryAdd(reference, inner.VersionOf(reference));
            if (inner.TryGet(reference, out value, out error))
            {
                return true;
            }

            Failures.Add(error);
            return false;
        }
    }
}
