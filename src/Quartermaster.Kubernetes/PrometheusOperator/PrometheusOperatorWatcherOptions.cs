using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>Settings of a <see cref="PrometheusOperatorWatcher"/>.</summary>
public sealed record PrometheusOperatorWatcherOptions
{
    /// <summary>Upstream regenerates at most once per this interval.</summary>
    public static readonly TimeSpan DefaultMinInterval = TimeSpan.FromSeconds(5);

    /// <summary>Upstream waits this long for the caches to sync before it generates without the missing ones.</summary>
    public static readonly TimeSpan DefaultSyncTimeout = TimeSpan.FromSeconds(15);

    public required PrometheusCrConfig Config { get; init; }

    /// <summary><c>collector_namespace</c>: what a nil namespace selector selects, and the default secret namespace.</summary>
    public required string CollectorNamespace { get; init; }

    /// <summary>Changes within this interval of the last generation are coalesced into the next one.</summary>
    public TimeSpan MinInterval { get; init; } = DefaultMinInterval;

    public TimeSpan SyncTimeout { get; init; } = DefaultSyncTimeout;

    /// <summary>The namespaces whose Secrets and ConfigMaps are watched from the start (upstream <c>secret_namespaces</c>).</summary>
    public IReadOnlyList<string> SecretNamespaces =>
        [.. (Config.SecretNamespaces is { Count: > 0 } list ? list : [CollectorNamespace])
            .Where(ns => !(Config.DenyNamespaces ?? []).Contains(ns, StringComparer.Ordinal))];
}
