using k8s.Models;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>The <c>node</c> role: one group with one kubelet target per node (prometheus.md §3.6.3).</summary>
public static class NodeTranslator
{
    private const string NodePrefix = MetaLabels.Prefix + "node_";

    private static readonly string[] AddressPrecedence =
        ["InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname"];

    public static string SourceOf(string? name) => "node/" + name;

    /// <summary>The node's group, or null when the node has no usable address (upstream then sends nothing).</summary>
    public static TargetGroup? Translate(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var name = node.Metadata?.Name ?? "";
        var group = new LabelMap(24);
        group[NodePrefix + "provider_id"] = node.Spec?.ProviderID ?? "";
        MetaLabels.AddObjectMeta(group, node.Metadata, "node");
        foreach (var condition in node.Status?.Conditions ?? [])
        {
            group[NodePrefix + "condition_" + MetaLabels.Sanitize((condition.Type ?? "").ToLowerInvariant())] =
                (condition.Status ?? "").ToLowerInvariant();
        }

        var firstByType = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var address in node.Status?.Addresses ?? [])
        {
            firstByType.TryAdd(address.Type ?? "", address.Address ?? "");
        }

        string? chosen = null;
        foreach (var type in AddressPrecedence)
        {
            if (firstByType.TryGetValue(type, out var address))
            {
                chosen = address;
                break;
            }
        }

        if (chosen is null)
        {
            return null;
        }

        var target = new LabelMap(8);
        target[MetaLabels.Address] = MetaLabels.JoinHostPort(chosen, node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port ?? 0);
        target[MetaLabels.Instance] = name;
        foreach (var (type, address) in firstByType)
        {
            target[NodePrefix + "address_" + type] = address;
        }

        return new TargetGroup(SourceOf(name), [target.ToSortedArray()], group.ToSortedArray());
    }
}
