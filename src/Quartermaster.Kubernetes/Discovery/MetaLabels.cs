using System.Globalization;
using System.Text;
using k8s.Models;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>The <c>__meta_kubernetes_*</c> label construction shared by every role (prometheus.md §3.6.2).</summary>
internal static class MetaLabels
{
    public const string Prefix = "__meta_kubernetes_";
    public const string Namespace = Prefix + "namespace";
    public const string Address = "__address__";
    public const string Instance = "instance";

    /// <summary>
    /// Replaces every code point outside <c>[a-zA-Z0-9_]</c> with one <c>_</c> (a surrogate pair is one code point).
    /// </summary>
    public static string Sanitize(string name)
    {
        var clean = true;
        foreach (var c in name)
        {
            if (!IsLegal(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return name;
        }

        var sb = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (IsLegal(c))
            {
                sb.Append(c);
                continue;
            }

            sb.Append('_');
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
        }

        return sb.ToString();
    }

    /// <summary>Go <c>net.JoinHostPort</c>: brackets a host that contains a colon.</summary>
    public static string JoinHostPort(string host, long port)
    {
        var p = port.ToString(CultureInfo.InvariantCulture);
        return host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]:" + p : host + ":" + p;
    }

    public static string FormatBool(bool value) => value ? "true" : "false";

    /// <summary>Prometheus <c>addObjectMetaLabels</c>: name, labels and annotations with their presence companions.</summary>
    public static void AddObjectMeta(LabelMap labels, V1ObjectMeta? meta, string role)
    {
        var prefix = Prefix + role;
        labels[prefix + "_name"] = meta?.Name ?? "";
        AddLabelsAndAnnotations(labels, meta, prefix);
    }

    /// <summary>Namespace metadata (<c>attach_metadata.namespace</c>); nothing when the namespace is not known.</summary>
    public static void AddNamespaceMetadata(LabelMap labels, string? ns, IKubernetesObjectLookup lookup)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return;
        }

        var namespaceObject = lookup.GetNamespace(ns);
        if (namespaceObject is null)
        {
            return;
        }

        AddLabelsAndAnnotations(labels, namespaceObject.Metadata, Prefix + "namespace");
    }

    /// <summary>Node metadata (<c>attach_metadata.node</c>); nothing when the name is absent or the node not known.</summary>
    public static void AddNodeMetadata(LabelMap labels, string? nodeName, IKubernetesObjectLookup lookup)
    {
        if (nodeName is null)
        {
            return;
        }

        var node = lookup.GetNode(nodeName);
        if (node is null)
        {
            return;
        }

        labels[Prefix + "node_name"] = node.Metadata?.Name ?? "";
        AddLabelsAndAnnotations(labels, node.Metadata, Prefix + "node");
    }

    private static void AddLabelsAndAnnotations(LabelMap labels, V1ObjectMeta? meta, string prefix)
    {
        if (meta?.Labels is { } objectLabels)
        {
            foreach (var (key, value) in objectLabels)
            {
                var name = Sanitize(key);
                labels[prefix + "_label_" + name] = value ?? "";
                labels[prefix + "_labelpresent_" + name] = "true";
            }
        }

        if (meta?.Annotations is { } annotations)
        {
            foreach (var (key, value) in annotations)
            {
                var name = Sanitize(key);
                labels[prefix + "_annotation_" + name] = value ?? "";
                labels[prefix + "_annotationpresent_" + name] = "true";
            }
        }
    }

    private static bool IsLegal(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_';
}
