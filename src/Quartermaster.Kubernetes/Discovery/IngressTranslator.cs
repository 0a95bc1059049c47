using k8s.Models;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>The <c>ingress</c> role (<c>networking.k8s.io/v1</c>): one target per rule path (prometheus.md §3.6.3).</summary>
public static class IngressTranslator
{
    private const string IngressPrefix = MetaLabels.Prefix + "ingress_";

    public static string SourceOf(string? ns, string? name) => "ingress/" + ns + "/" + name;

    public static TargetGroup Translate(V1Ingress ingress, IKubernetesObjectLookup lookup, AttachMetadata attach)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(attach);
        var ns = ingress.Metadata?.NamespaceProperty ?? "";
        var group = new LabelMap(16);
        group[MetaLabels.Namespace] = ns;
        MetaLabels.AddObjectMeta(group, ingress.Metadata, "ingress");
        if (ingress.Spec?.IngressClassName is { } className)
        {
            group[IngressPrefix + "class_name"] = className;
        }

        if (attach.Namespace)
        {
            MetaLabels.AddNamespaceMetadata(group, ns, lookup);
        }

        var targets = new List<Label[]>();
        foreach (var rule in ingress.Spec?.Rules ?? [])
        {
            var host = rule.Host ?? "";
            var scheme = IsTlsHost(ingress.Spec?.Tls, host) ? "https" : "http";
            foreach (var path in Paths(rule.Http))
            {
                var target = new LabelMap(4);
                target[MetaLabels.Address] = host;
                target[IngressPrefix + "scheme"] = scheme;
                target[IngressPrefix + "host"] = host;
                target[IngressPrefix + "path"] = path;
                targets.Add(target.ToSortedArray());
            }
        }

        return new TargetGroup(SourceOf(ns, ingress.Metadata?.Name), targets, group.ToSortedArray());
    }

    /// <summary>True when a TLS host equals <paramref name="host"/> or is <c>*.</c> plus everything after its first label.</summary>
    internal static bool MatchesHostPattern(string pattern, string host)
    {
        if (pattern == host)
        {
            return true;
        }

        var patternParts = pattern.Split('.');
        var hostParts = host.Split('.');
        if (patternParts.Length != hostParts.Length)
        {
            return false;
        }

        for (var i = 1; i < patternParts.Length; i++)
        {
            if (patternParts[i] != hostParts[i])
            {
                return false;
            }
        }

        return patternParts[0] == "*";
    }

    private static bool IsTlsHost(IList<V1IngressTLS>? tls, string host)
    {
        foreach (var entry in tls ?? [])
        {
            foreach (var pattern in entry.Hosts ?? [])
            {
                if (MatchesHostPattern(pattern ?? "", host))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static List<string> Paths(V1HTTPIngressRuleValue? http)
    {
        if (http is null)
        {
            return ["/"];
        }

        var paths = new List<string>(http.Paths?.Count ?? 0);
        foreach (var path in http.Paths ?? [])
        {
            paths.Add(string.IsNullOrEmpty(path.Path) ? "/" : path.Path);
        }

        return paths;
    }
}
