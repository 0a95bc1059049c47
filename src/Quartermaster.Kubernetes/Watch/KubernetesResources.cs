using k8s.Models;

namespace Quartermaster.Kubernetes.Watch;

/// <summary>The kinds discovery reads.</summary>
public static class KubernetesResources
{
    public static readonly KubernetesResource<V1Pod, V1PodList> Pods = new("pods", true, static (c, ns, q, ct) => ns is null
        ? c.CoreV1.ListPodForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.CoreV1.ListNamespacedPodWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1Service, V1ServiceList> Services = new("services", true, static (c, ns, q, ct) => ns is null
        ? c.CoreV1.ListServiceForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.CoreV1.ListNamespacedServiceWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1Endpoints, V1EndpointsList> Endpoints = new("endpoints", true, static (c, ns, q, ct) => ns is null
        ? c.CoreV1.ListEndpointsForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.CoreV1.ListNamespacedEndpointsWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1EndpointSlice, V1EndpointSliceList> EndpointSlices = new(
        "endpointslices", true, static (c, ns, q, ct) => ns is null
        ? c.DiscoveryV1.ListEndpointSliceForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.DiscoveryV1.ListNamespacedEndpointSliceWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1Ingress, V1IngressList> Ingresses = new("ingresses", true, static (c, ns, q, ct) => ns is null
        ? c.NetworkingV1.ListIngressForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.NetworkingV1.ListNamespacedIngressWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1ReplicaSet, V1ReplicaSetList> ReplicaSets = new("replicasets", true, static (c, ns, q, ct) => ns is null
        ? c.AppsV1.ListReplicaSetForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.AppsV1.ListNamespacedReplicaSetWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1Job, V1JobList> Jobs = new("jobs", true, static (c, ns, q, ct) => ns is null
        ? c.BatchV1.ListJobForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.BatchV1.ListNamespacedJobWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1Node, V1NodeList> Nodes = new("nodes", false, static (c, _, q, ct) =>
        c.CoreV1.ListNodeWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1Namespace, V1NamespaceList> Namespaces = new("namespaces", false, static (c, _, q, ct) =>
        c.CoreV1.ListNamespaceWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1Secret, V1SecretList> Secrets = new("secrets", true, static (c, ns, q, ct) => ns is null
        ? c.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));

    public static readonly KubernetesResource<V1ConfigMap, V1ConfigMapList> ConfigMaps = new("configmaps", true, static (c, ns, q, ct) => ns is null
        ? c.CoreV1.ListConfigMapForAllNamespacesWithHttpMessagesAsync(
            allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct)
        : c.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(
            ns, allowWatchBookmarks: q.AllowWatchBookmarks, continueParameter: q.Continue, fieldSelector: q.FieldSelector,
            labelSelector: q.LabelSelector, limit: q.Limit, resourceVersion: q.ResourceVersion, watch: q.WatchFlag, cancellationToken: ct));
}
