using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.Watch;

namespace Quartermaster.Kubernetes.Collectors;

/// <summary>
/// Finds the collectors: pods in <c>collector_namespace</c> matching <c>collector_selector</c> that have a node
/// (spec upstream-ta.md §7). The collector id is the pod name, the node is <c>spec.nodeName</c>, and readiness comes
/// from the pod phase and its Ready condition; the allocator applies the not-ready grace period.
/// </summary>
/// <remarks>
/// Changes are coalesced for <see cref="Coalesce"/> and then published as the whole collector list; upstream waits
/// up to 5 s. A failing watch keeps the last known pods.
/// </remarks>
public sealed partial class CollectorWatcher
{
    /// <summary>How long a burst of pod events is gathered before the collector list is published.</summary>
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(250);

    private readonly KubernetesCacheRegistry _registry;
    private readonly string _namespace;
    private readonly string _labelSelector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CollectorWatcher(KubernetesCacheRegistry registry, string collectorNamespace, LabelSelector? selector, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _namespace = collectorNamespace;
        _labelSelector = ToSelectorString(selector);
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The selector as the Kubernetes API takes it; empty selects every pod of the namespace.</summary>
    public string LabelSelector => _labelSelector;

    /// <summary>Watches until cancelled, calling <paramref name="publish"/> with the full collector list after each change.</summary>
    public async Task RunAsync(Action<IReadOnlyList<CollectorInfo>> publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        await using var lease = _registry.Acquire(KubernetesResources.Pods, _namespace, _labelSelector);
        var cache = lease.Cache;
        using var changed = new SemaphoreSlim(0);
        using var subscription = cache.Subscribe(_ => changed.Release());
        await cache.Ready.WaitAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var collectors = cache.List().Select(ToCollector).OfType<CollectorInfo>().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            Log.CollectorsDiscovered(_logger, collectors.Count, _namespace);
            publish(collectors);
            await changed.WaitAsync(cancellationToken);
            await Task.Delay(Coalesce, _time, cancellationToken);
            while (changed.CurrentCount > 0)
            {
                await changed.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>A pod as a collector, or null when it has no node yet (upstream skips those).</summary>
    public static CollectorInfo? ToCollector(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var node = pod.Spec?.NodeName;
        if (string.IsNullOrEmpty(node) || pod.Metadata?.Name is not { } name)
        {
            return null;
        }

        if (pod.Status?.Phase != "Running")
        {
            return new CollectorInfo(name, node) { Ready = false, NotReadySince = ToOffset(pod.Status?.StartTime) };
        }

        var ready = pod.Status.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        return ready?.Status == "True"
            ? new CollectorInfo(name, node)
            : new CollectorInfo(name, node) { Ready = false, NotReadySince = ToOffset(ready?.LastTransitionTime) };
    }

    /// <summary>
    /// <c>matchLabels</c> and <c>matchExpressions</c> in the API's selector syntax; null or empty selects everything,
    /// as upstream does (§11 Q1).
    /// </summary>
    public static string ToSelectorString(LabelSelector? selector)
    {
        if (selector is null)
        {
            return "";
        }

        var parts = selector.MatchLabels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").ToList();
        foreach (var e in selector.MatchExpressions)
        {
            var values = string.Join(",", e.Values);
            parts.Add(e.Operator switch
            {
                "In" => $"{e.Key} in ({values})",
                "NotIn" => $"{e.Key} notin ({values})",
                "Exists" => e.Key,
                "DoesNotExist" => "!" + e.Key,
                _ => throw new ConfigException($"collector_selector: unknown operator {e.Operator} for key {e.Key}; expected In, NotIn, Exists or DoesNotExist"),
            });
        }

        return string.Join(",", parts);
    }

    private static DateTimeOffset? ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    private static partial class Log
    {
        [LoggerMessage(4000, LogLevel.Information, "Collectors in namespace '{Namespace}': {Count}", EventName = "CollectorsDiscovered")]
        public static partial void CollectorsDiscovered(ILogger logger, int count, string @namespace);
    }
}
