using Quartermaster.Core.Allocation;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Targets;

/// <summary>
/// One discovered target that survived relabel filtering: the pre-relabel labels that are served to the collector,
/// the pre-relabel address the ring keys on, and the identity hash (spec upstream-ta.md §3.1).
/// </summary>
/// <remarks>
/// The served label set is the merge of the group's and the target's labels (the target's win). The item keeps
/// references to both arrays, which discovery holds anyway, instead of a merged copy: at hundreds of thousands of
/// targets that copy would be the largest thing in memory. Writers merge on the fly.
/// </remarks>
public sealed class TargetItem
{
    public TargetItem(string jobName, string targetUrl, Label[] groupLabels, Label[] targetLabels, ulong hash)
    {
        JobName = jobName;
        TargetUrl = targetUrl;
        GroupLabels = groupLabels;
        TargetLabels = targetLabels;
        Hash = hash;
        AddressHash = ConsistentHashRing.Hash(targetUrl);
        NodeName = ResolveNodeName();
    }

    /// <summary>An item whose labels are already merged (no separate group labels).</summary>
    public TargetItem(string jobName, string targetUrl, Label[] labels, ulong hash)
        : this(jobName, targetUrl, [], labels, hash)
    {
    }

    public string JobName { get; }

    /// <summary>The target's own pre-relabel <c>__address__</c>.</summary>
    public string TargetUrl { get; }

    /// <summary>The group's labels, sorted by name.</summary>
    public Label[] GroupLabels { get; }

    /// <summary>The target's own labels, sorted by name.</summary>
    public Label[] TargetLabels { get; }

    /// <summary>Merged group and target labels, sorted by name, before relabeling; allocates a new array.</summary>
    public Label[] Labels => LabelSets.Merge(GroupLabels, TargetLabels);

    public ulong Hash { get; }

    /// <summary>
    /// XXH64 of <see cref="TargetUrl"/>, the consistent-hashing ring's key, computed once so that re-allocating on a
    /// collector change hashes nothing.
    /// </summary>
    public ulong AddressHash { get; }

    /// <summary>The node the target runs on, as upstream's <c>GetNodeName</c> derives it; empty when unknown.</summary>
    public string NodeName { get; }

    public string GetLabel(string name)
    {
        var i = LabelSets.IndexOf(TargetLabels, name);
        if (i >= 0)
        {
            return TargetLabels[i].Value;
        }

        i = LabelSets.IndexOf(GroupLabels, name);
        return i < 0 ? "" : GroupLabels[i].Value;
    }

    /// <summary>Whether both items serve the same labels and address.</summary>
    public bool ServesSameAs(TargetItem other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return TargetUrl == other.TargetUrl
            && (ReferenceEquals(GroupLabels, other.GroupLabels) || GroupLabels.AsSpan().SequenceEqual(other.GroupLabels))
            && (ReferenceEquals(TargetLabels, other.TargetLabels) || TargetLabels.AsSpan().SequenceEqual(other.TargetLabels));
    }

    private string ResolveNodeName()
    {
        foreach (var name in (ReadOnlySpan<string>)["__meta_kubernetes_pod_node_name", "__meta_kubernetes_node_name", "__meta_kubernetes_endpoint_node_name"])
        {
            var value = GetLabel(name);
            if (value.Length > 0)
            {
                return value;
            }
        }

        return GetLabel("__meta_kubernetes_endpointslice_address_target_kind") == "Node"
            ? GetLabel("__meta_kubernetes_endpointslice_address_target_name")
            : "";
    }
}
