using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Quartermaster.Kubernetes.Watch;

/// <summary>The list/watch call of one resource kind.</summary>
/// <param name="Plural">The resource name in the API (<c>pods</c>, <c>endpointslices</c>).</param>
/// <param name="Namespaced">False for cluster-scoped kinds (nodes, namespaces).</param>
/// <param name="List">Calls the list endpoint: (client, namespace or null for all, query, cancellation).</param>
public sealed record KubernetesResource<T, TList>(
    string Plural,
    bool Namespaced,
    Func<IKubernetes, string?, ListQuery, CancellationToken, Task<HttpOperationResponse<TList>>> List)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>;
