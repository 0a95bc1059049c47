using k8s.Models;
using Quartermaster.Kubernetes.Discovery;

namespace Quartermaster.Kubernetes.Tests.Discovery;

/// <summary>An in-memory object lookup for translator tests.</summary>
internal sealed class FakeLookup : IKubernetesObjectLookup
{
    public Dictionary<string, V1Pod> Pods { get; } = [];

    public Dictionary<string, V1Service> Services { get; } = [];

    public Dictionary<string, V1Node> Nodes { get; } = [];

    public Dictionary<string, V1Namespace> Namespaces { get; } = [];

    public Dictionary<string, V1ReplicaSet> ReplicaSets { get; } = [];

    public Dictionary<string, V1Job> Jobs { get; } = [];

    public V1Pod? GetPod(string ns, string name) => Pods.GetValueOrDefault(ns + "/" + name);

    public V1Service? GetService(string ns, string name) => Services.GetValueOrDefault(ns + "/" + name);

    public V1Node? GetNode(string name) => Nodes.GetValueOrDefault(name);

    public V1Namespace? GetNamespace(string name) => Namespaces.GetValueOrDefault(name);

    public V1ReplicaSet? GetReplicaSet(string ns, string name) => ReplicaSets.GetValueOrDefault(ns + "/" + name);

    public V1Job? GetJob(string ns, string name) => Jobs.GetValueOrDefault(ns + "/" + name);
}
