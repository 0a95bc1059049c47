using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Targets;

/// <summary>
/// One discovered target that survived relabel filtering: the pre-relabel labels that are served to the collector,
/// the pre-relabel address the ring keys on, and the identity hash (spec upstream-ta.md §3.1).
/// </summary>
public sealed class TargetItem
{
    public TargetItem(string jobName, string targetUrl, Label[] labels, ulong hash)
    {
        JobName = jobName;
        TargetUrl = targetUrl;
        Labels = labels;
        Hash = hash;
        NodeName = ResolveNodeName(labels);
    }

    public string JobName { get; }

    /// <summary>The target's own pre-relabel <c>__address__</c>.</summary>
    public string TargetUrl { get; }

    /// <summary>Merged group and target labels, sorted by name, before relabeling.</summary>
    public Label[] Labels { get; }

    public ulong Hash { get; }

    /// <summary>The node the target runs on, as upstream's <c>GetNodeName</c> derives it; empty when unknown.</summary>
    public string NodeName { get; }

    public string GetLabel(string name)
    {
        var i = LabelSets.IndexOf(Labels, name);
        return i < 0 ? "" : Labels[i].Value;
    }

    private static string ResolveNodeName(Label[] labels)
    {
        foreach (var name in (ReadOnlySpan<string>)["__meta_kubernetes_pod_node_name", "__meta_kubernetes_node_name", "__meta_kubernetes_endpoint_node_name"])
        {
            var i = LabelSets.IndexOf(labels, name);
            if (i >= 0 && labels[i].Value.Length > 0)
            {
                return labels[i].Value;
            }
        }

        var kind = LabelSets.IndexOf(labels, "__meta_kubernetes_endpointslice_address_target_kind");
        if (kind >= 0 && labels[kind].Value == "Node")
        {
            var name = LabelSets.IndexOf(labels, "__meta_kubernetes_endpointslice_address_target_name");
            return name >= 0 ? labels[name].Value : "";
        }

        return "";
    }
}
