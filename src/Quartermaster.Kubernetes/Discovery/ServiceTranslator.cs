using System.Globalization;
using k8s.Models;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>The <c>service</c> role: one group per service, one target per service port (prometheus.md §3.6.3).</summary>
public static class ServiceTranslator
{
    private const string ServicePrefix = MetaLabels.Prefix + "service_";

    public static string SourceOf(string? ns, string? name) => "svc/" + ns + "/" + name;

    public static TargetGroup Translate(V1Service service, IKubernetesObjectLookup lookup, AttachMetadata attach)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(attach);
        var ns = service.Metadata?.NamespaceProperty ?? "";
        var name = service.Metadata?.Name ?? "";
        var group = ServiceLabels(service);
        if (attach.Namespace)
        {
            MetaLabels.AddNamespaceMetadata(group, ns, lookup);
        }

        var type = service.Spec?.Type ?? "";
        var targets = new List<Core.Labels.Label[]>();
        foreach (var port in service.Spec?.Ports ?? [])
        {
            var target = new LabelMap(8);
            target[MetaLabels.Address] = MetaLabels.JoinHostPort(name + "." + ns + ".svc", port.Port);
            target[ServicePrefix + "port_name"] = port.Name ?? "";
            target[ServicePrefix + "port_number"] = port.Port.ToString(CultureInfo.InvariantCulture);
            target[ServicePrefix + "port_protocol"] = port.Protocol ?? "";
            target[ServicePrefix + "type"] = type;
            if (type == "ExternalName")
            {
                target[ServicePrefix + "external_name"] = service.Spec?.ExternalName ?? "";
            }
            else
            {
                target[ServicePrefix + "cluster_ip"] = service.Spec?.ClusterIP ?? "";
            }

            if (type == "LoadBalancer")
            {
                target[ServicePrefix + "loadbalancer_ip"] = service.Spec?.LoadBalancerIP ?? "";
            }

            targets.Add(target.ToSortedArray());
        }

        return new TargetGroup(SourceOf(ns, name), targets, group.ToSortedArray());
    }

    /// <summary>Prometheus <c>serviceLabels</c>: namespace plus the service's name, labels and annotations.</summary>
    internal static LabelMap ServiceLabels(V1Service service)
    {
        var labels = new LabelMap(16);
        labels[MetaLabels.Namespace] = service.Metadata?.NamespaceProperty ?? "";
        MetaLabels.AddObjectMeta(labels, service.Metadata, "service");
        return labels;
    }
}
