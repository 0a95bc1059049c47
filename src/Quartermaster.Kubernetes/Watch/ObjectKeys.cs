using k8s;
using k8s.Models;

namespace Quartermaster.Kubernetes.Watch;

/// <summary>Cache keys of objects: <c>namespace/name</c>, or <c>name</c> for cluster-scoped objects.</summary>
public static class ObjectKeys
{
    public static string Of(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Of(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name);
    }

    public static string Of(string? ns, string? name) => string.IsNullOrEmpty(ns) ? name ?? "" : ns + "/" + name;
}
