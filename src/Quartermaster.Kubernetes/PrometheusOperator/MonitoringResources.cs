using System.Text.Json;
using k8s;
using k8s.Autorest;
using Quartermaster.Kubernetes.Watch;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>The API coordinates of the Prometheus Operator kinds and their list/watch calls.</summary>
public static class MonitoringResources
{
    public const string Group = "monitoring.coreos.com";

    private static readonly JsonElement EmptySpec = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The API version and plural of <paramref name="kind"/>.</summary>
    public static (string Version, string Plural) CoordinatesOf(MonitoringKind kind) => kind switch
    {
        MonitoringKind.ServiceMonitor => ("v1", "servicemonitors"),
        MonitoringKind.PodMonitor => ("v1", "podmonitors"),
        MonitoringKind.Probe => ("v1", "probes"),
        MonitoringKind.ScrapeConfig => ("v1alpha1", "scrapeconfigs"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The list/watch call of <paramref name="kind"/>, for the shared resource caches.</summary>
    public static KubernetesResource<MonitoringObject, MonitoringObjectList> ResourceOf(MonitoringKind kind)
    {
        var (version, plural) = CoordinatesOf(kind);
        return new KubernetesResource<MonitoringObject, MonitoringObjectList>(plural, true, (c, ns, q, ct) => List(c, version, plural, ns, q, ct));
    }

    /// <summary>The resource as the generator sees it.</summary>
    public static MonitoringResource ToResource(MonitoringKind kind, MonitoringObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var labels = obj.Metadata.Labels is { } l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : new Dictionary<string, string>();
        var spec = obj.Spec.ValueKind == JsonValueKind.Object ? obj.Spec : EmptySpec;
        return new MonitoringResource(kind, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name ?? "", labels, spec, obj.Metadata.ResourceVersion ?? "");
    }

    private static Task<HttpOperationResponse<MonitoringObjectList>> List(
        IKubernetes client, string version, string plural, string? ns, ListQuery q, CancellationToken ct) => ns is null
        ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<MonitoringObjectList>(
            Group, version, plural, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<MonitoringObjectList>(
            Group, version, ns, plural, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct);
}
