using k8s.Models;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>
/// Read access to the cached objects a role translation consults besides the object itself (Prometheus' informer
/// stores). Each method returns null when the object is not cached.
/// </summary>
public interface IKubernetesObjectLookup
{
    V1Pod? GetPod(string ns, string name);

    V1Service? GetService(string ns, string name);

    V1Node? GetNode(string name);

    V1Namespace? GetNamespace(string name);

    V1ReplicaSet? GetReplicaSet(string ns, string name);

    V1Job? GetJob(string ns, string name);
}
