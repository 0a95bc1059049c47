using System.Globalization;
using k8s.Models;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>The <c>endpointslice</c> role (<c>discovery.k8s.io/v1</c>): one group per slice (prometheus.md §3.6.3).</summary>
public static class EndpointSliceTranslator
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    private const string SlicePrefix = MetaLabels.Prefix + "endpointslice_";

    public static string SourceOf(string? ns, string? name) => "endpointslice/" + ns + "/" + name;

    public static TargetGroup Translate(V1EndpointSlice slice, IKubernetesObjectLookup lookup, AttachMetadata attach)
    {
        ArgumentNullException.ThrowIfNull(slice);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(attach);
        var ns = slice.Metadata?.NamespaceProperty ?? "";
        var name = slice.Metadata?.Name ?? "";
        var group = new LabelMap(24);
        group[MetaLabels.Namespace] = ns;
        group[SlicePrefix + "address_type"] = slice.AddressType ?? "";
        MetaLabels.AddObjectMeta(group, slice.Metadata, "endpointslice");
        V1Service? service = null;
        if (slice.Metadata?.Labels is { } labels && labels.TryGetValue(ServiceNameLabel, out var serviceName) && serviceName is not null)
        {
            service = lookup.GetService(ns, serviceName);
            if (service is not null)
            {
                group.Merge(ServiceTranslator.ServiceLabels(service));
            }
        }

        if (attach.Namespace)
        {
            MetaLabels.AddNamespaceMetadata(group, ns, lookup);
        }

        var source = SourceOf(ns, name);
        if (IsNonPrimaryIpFamily(slice, service))
        {
            return new TargetGroup(source, [], group.ToSortedArray());
        }

        var targets = new List<Label[]>();
        var pods = new PodPortTargets();
        foreach (var endpoint in slice.Endpoints ?? [])
        {
            foreach (var port in slice.Ports ?? [])
            {
                foreach (var address in endpoint.Addresses ?? [])
                {
                    targets.Add(BuildTarget(address, endpoint, port, lookup, attach, pods));
                }
            }
        }

        pods.AddUncoveredPorts(targets);
        return new TargetGroup(source, targets, group.ToSortedArray());
    }

    /// <summary>
    /// A dual-stack service's slice of its secondary address family yields no targets, so each endpoint is scraped
    /// once, over the primary family.
    /// </summary>
    private static bool IsNonPrimaryIpFamily(V1EndpointSlice slice, V1Service? service)
    {
        if (service?.Spec is not { } spec)
        {
            return false;
        }

        if (spec.IpFamilyPolicy is not ("PreferDualStack" or "RequireDualStack"))
        {
            return false;
        }

        return spec.IpFamilies is { Count: > 0 } families && slice.AddressType != families[0];
    }

    private static Label[] BuildTarget(
        string address,
        V1Endpoint endpoint,
        Discoveryv1EndpointPort port,
        IKubernetesObjectLookup lookup,
        AttachMetadata attach,
        PodPortTargets pods)
    {
        var target = new LabelMap(32);
        target[MetaLabels.Address] = port.Port is { } number ? MetaLabels.JoinHostPort(address, number) : address;
        if (port.Name is { } portName)
        {
            target[SlicePrefix + "port_name"] = portName;
        }

        if (port.Protocol is { } protocol)
        {
            target[SlicePrefix + "port_protocol"] = protocol;
        }

        if (port.Port is { } portNumber)
        {
            target[SlicePrefix + "port"] = portNumber.ToString(CultureInfo.InvariantCulture);
        }

        if (port.AppProtocol is { } appProtocol)
        {
            target[SlicePrefix + "port_app_protocol"] = appProtocol;
        }

        if (endpoint.Conditions?.Ready is { } ready)
        {
            target[SlicePrefix + "endpoint_conditions_ready"] = MetaLabels.FormatBool(ready);
        }

        if (endpoint.Conditions?.Serving is { } serving)
        {
            target[SlicePrefix + "endpoint_conditions_serving"] = MetaLabels.FormatBool(serving);
        }

        if (endpoint.Conditions?.Terminating is { } terminating)
        {
            target[SlicePrefix + "endpoint_conditions_terminating"] = MetaLabels.FormatBool(terminating);
        }

        if (endpoint.Hostname is { } hostname)
        {
            target[SlicePrefix + "endpoint_hostname"] = hostname;
        }

        if (endpoint.TargetRef is { } reference)
        {
            target[SlicePrefix + "address_target_kind"] = reference.Kind ?? "";
            target[SlicePrefix + "address_target_name"] = reference.Name ?? "";
        }

        if (endpoint.NodeName is { } nodeName)
        {
            target[SlicePrefix + "endpoint_node_name"] = nodeName;
        }

        if (endpoint.Zone is { } zone)
        {
            target[SlicePrefix + "endpoint_zone"] = zone;
        }

        if (endpoint.DeprecatedTopology is { } topology)
        {
            foreach (var (key, value) in topology)
            {
                var sanitized = MetaLabels.Sanitize(key);
                target[SlicePrefix + "endpoint_topology_" + sanitized] = value ?? "";
                target[SlicePrefix + "endpoint_topology_present_" + sanitized] = "true";
            }
        }

        if (attach.Node)
        {
            var node = endpoint.TargetRef is { Kind: "Node" } nodeRef ? nodeRef.Name : endpoint.NodeName;
            MetaLabels.AddNodeMetadata(target, node, lookup);
        }

        if (PodPortTargets.Resolve(endpoint.TargetRef, lookup) is { } pod)
        {
            pods.AddEndpointTarget(target, pod, port.Port, port.Protocol, useEndpointProtocol: false);
        }

        return target.ToSortedArray();
    }
}
