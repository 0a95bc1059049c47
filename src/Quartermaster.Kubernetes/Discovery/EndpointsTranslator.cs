using k8s.Models;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>The <c>endpoints</c> role: one group per Endpoints object (prometheus.md §3.6.3).</summary>
public static class EndpointsTranslator
{
    private const string EndpointPrefix = MetaLabels.Prefix + "endpoint_";

    public static string SourceOf(string? ns, string? name) => "endpoints/" + ns + "/" + name;

    public static TargetGroup Translate(V1Endpoints endpoints, IKubernetesObjectLookup lookup, AttachMetadata attach)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(attach);
        var ns = endpoints.Metadata?.NamespaceProperty ?? "";
        var name = endpoints.Metadata?.Name ?? "";
        var group = new LabelMap(24);
        group[MetaLabels.Namespace] = ns;
        // Object-level labels use the plural role string, per-address labels the singular one (upstream naming).
        MetaLabels.AddObjectMeta(group, endpoints.Metadata, "endpoints");
        if (lookup.GetService(ns, name) is { } service)
        {
            group.Merge(ServiceTranslator.ServiceLabels(service));
        }

        if (attach.Namespace)
        {
            MetaLabels.AddNamespaceMetadata(group, ns, lookup);
        }

        var targets = new List<Label[]>();
        var pods = new PodPortTargets();
        foreach (var subset in endpoints.Subsets ?? [])
        {
            foreach (var port in subset.Ports ?? [])
            {
                foreach (var address in subset.Addresses ?? [])
                {
                    targets.Add(BuildTarget(address, port, "true", lookup, attach, pods));
                }

                foreach (var address in subset.NotReadyAddresses ?? [])
                {
                    targets.Add(BuildTarget(address, port, "false", lookup, attach, pods));
                }
            }
        }

        pods.AddUncoveredPorts(targets);
        return new TargetGroup(SourceOf(ns, name), targets, group.ToSortedArray());
    }

    private static Label[] BuildTarget(
        V1EndpointAddress address,
        Corev1EndpointPort port,
        string ready,
        IKubernetesObjectLookup lookup,
        AttachMetadata attach,
        PodPortTargets pods)
    {
        var target = new LabelMap(32);
        target[MetaLabels.Address] = MetaLabels.JoinHostPort(address.Ip ?? "", port.Port);
        target[EndpointPrefix + "port_name"] = port.Name ?? "";
        target[EndpointPrefix + "port_protocol"] = port.Protocol ?? "";
        target[EndpointPrefix + "ready"] = ready;
        if (address.TargetRef is { } reference)
        {
            target[EndpointPrefix + "address_target_kind"] = reference.Kind ?? "";
            target[EndpointPrefix + "address_target_name"] = reference.Name ?? "";
        }

        if (address.NodeName is { } nodeName)
        {
            target[EndpointPrefix + "node_name"] = nodeName;
        }

        if (!string.IsNullOrEmpty(address.Hostname))
        {
            target[EndpointPrefix + "hostname"] = address.Hostname;
        }

        if (attach.Node)
        {
            var node = address.TargetRef is { Kind: "Node" } nodeRef ? nodeRef.Name : address.NodeName;
            MetaLabels.AddNodeMetadata(target, node, lookup);
        }

        if (PodPortTargets.Resolve(address.TargetRef, lookup) is { } pod)
        {
            pods.AddEndpointTarget(target, pod, port.Port, port.Protocol, useEndpointProtocol: true);
        }

        return target.ToSortedArray();
    }
}
