using System.Globalization;
using k8s.Models;
using Quartermaster.Core.Labels;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>
/// The pod handling the endpoints and endpointslice roles share: container labels for an endpoint backed by a pod, and
/// the extra targets for container ports that no endpoint port covers.
/// </summary>
internal sealed class PodPortTargets
{
    // Insertion-ordered so the extra targets come out deterministically (Prometheus iterates a Go map here).
    private readonly List<(V1Pod Pod, List<int> Ports)> _seen = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds the pod labels and the labels of the container declaring <paramref name="port"/> to <paramref name="target"/>,
    /// and records the port as used for the pod. The last matching container in scan order wins, as upstream.
    /// </summary>
    public void AddEndpointTarget(LabelMap target, V1Pod pod, int? port, string? endpointProtocol, bool useEndpointProtocol)
    {
        var key = pod.Metadata?.NamespaceProperty + "/" + pod.Metadata?.Name;
        if (!_index.TryGetValue(key, out var slot))
        {
            slot = _seen.Count;
            _index[key] = slot;
            _seen.Add((pod, []));
        }

        target.Merge(PodTranslator.PodLabels(pod));
        if (port is { } portNumber)
        {
            foreach (var (container, isInit) in PodTranslator.Containers(pod))
            {
                foreach (var containerPort in container.Ports ?? [])
                {
                    if (containerPort.ContainerPort != portNumber)
                    {
                        continue;
                    }

                    target[PodTranslator.ContainerName] = container.Name ?? "";
                    target[PodTranslator.ContainerImage] = container.Image ?? "";
                    target[PodTranslator.ContainerPortName] = containerPort.Name ?? "";
                    target[PodTranslator.ContainerPortNumber] = portNumber.ToString(CultureInfo.InvariantCulture);
                    target[PodTranslator.ContainerPortProtocol] =
                        (useEndpointProtocol ? endpointProtocol : containerPort.Protocol) ?? "";
                    target[PodTranslator.ContainerInit] = MetaLabels.FormatBool(isInit);
                    break;
                }
            }

            _seen[slot].Ports.Add(portNumber);
        }
    }

    /// <summary>One target per container port of every seen pod (with an IP) that no endpoint port covered.</summary>
    public void AddUncoveredPorts(List<Label[]> targets)
    {
        foreach (var (pod, ports) in _seen)
        {
            var podIp = pod.Status?.PodIP;
            if (string.IsNullOrEmpty(podIp))
            {
                continue;
            }

            foreach (var (container, isInit) in PodTranslator.Containers(pod))
            {
                foreach (var containerPort in container.Ports ?? [])
                {
                    if (ports.Contains(containerPort.ContainerPort))
                    {
                        continue;
                    }

                    var target = new LabelMap(24);
                    target[MetaLabels.Address] = MetaLabels.JoinHostPort(podIp, containerPort.ContainerPort);
                    target[PodTranslator.ContainerName] = container.Name ?? "";
                    target[PodTranslator.ContainerImage] = container.Image ?? "";
                    target[PodTranslator.ContainerPortName] = containerPort.Name ?? "";
                    target[PodTranslator.ContainerPortNumber] = containerPort.ContainerPort.ToString(CultureInfo.InvariantCulture);
                    target[PodTranslator.ContainerPortProtocol] = containerPort.Protocol ?? "";
                    target[PodTranslator.ContainerInit] = MetaLabels.FormatBool(isInit);
                    target.Merge(PodTranslator.PodLabels(pod));
                    targets.Add(target.ToSortedArray());
                }
            }
        }
    }

    /// <summary>The cached pod a target reference names, or null when it is not a pod or not cached.</summary>
    public static V1Pod? Resolve(V1ObjectReference? reference, IKubernetesObjectLookup lookup)
    {
        if (reference is null || reference.Kind != "Pod")
        {
            return null;
        }

        return lookup.GetPod(reference.NamespaceProperty ?? "", reference.Name ?? "");
    }
}
