namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>The resource kinds the fake API server serves: what the allocator reads, access reviews, and the kinds of its deployment manifests.</summary>
public static class KubeResourceCatalog
{
    private static readonly string[] ReadVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static IReadOnlyList<KubeResource> All { get; } =
    [
        new("", "v1", "Pod", "pods", "pod", true, ReadVerbs, ["po"]),
        new("", "v1", "Service", "services", "service", true, ReadVerbs, ["svc"]),
        new("", "v1", "Endpoints", "endpoints", "endpoints", true, ReadVerbs, ["ep"]),
        new("", "v1", "Node", "nodes", "node", false, ReadVerbs, ["no"]),
        new("", "v1", "Namespace", "namespaces", "namespace", false, ["create", "delete", "get", "list", "patch", "update", "watch"], ["ns"]),
        new("", "v1", "Secret", "secrets", "secret", true, ReadVerbs, []),
        new("", "v1", "ConfigMap", "configmaps", "configmap", true, ReadVerbs, ["cm"]),
        new("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, ReadVerbs, ["sa"]),
        new("apps", "v1", "Deployment", "deployments", "deployment", true, ReadVerbs, ["deploy"]),
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", false, ReadVerbs, []),
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", false, ReadVerbs, []),
        new("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", true, ReadVerbs, []),
        new("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", true, ReadVerbs, ["ing"]),
        new("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", "servicemonitor", true, ReadVerbs, ["smon"]),
        new("monitoring.coreos.com", "v1", "PodMonitor", "podmonitors", "podmonitor", true, ReadVerbs, ["pmon"]),
        new("monitoring.coreos.com", "v1", "Probe", "probes", "probe", true, ReadVerbs, ["prb"]),
        new("monitoring.coreos.com", "v1alpha1", "ScrapeConfig", "scrapeconfigs", "scrapeconfig", true, ReadVerbs, ["scfg"]),
        new("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "selfsubjectaccessreview", false,
            ["create"], []),
    ];

    /// <summary>The group versions in discovery order; the first version of each group is its preferred version.</summary>
    public static IReadOnlyList<(string Group, string Version)> GroupVersions { get; } =
        All.Select(r => (r.Group, r.Version)).Distinct().ToArray();

    /// <summary>Finds a kind by <c>apiVersion</c> and <c>kind</c>, as written in an object.</summary>
    public static KubeResource? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);

    /// <summary>Finds a kind by its plural, singular or kind name, or a short name (case-insensitive), as kubectl accepts them.</summary>
    public static KubeResource? FindByName(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Plural, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(r.Singular, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(r.Kind, name, StringComparison.OrdinalIgnoreCase)
            || r.ShortNames.Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>Finds the kind served at <c>group/version/plural</c>.</summary>
    public static KubeResource? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
}
