using k8s;
using k8s.Models;
using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.Rbac;

/// <summary>One permission the configuration needs: a verb on a resource, in a namespace or cluster-wide ("").</summary>
public sealed record Permission(string Verb, string Group, string Resource, string Namespace)
{
    public override string ToString() =>
        $"{Verb} {(Group.Length == 0 ? Resource : Resource + "." + Group)} {(Namespace.Length == 0 ? "in all namespaces" : "in namespace " + Namespace)}";
}

/// <summary>
/// Asks the API server, with SelfSubjectAccessReviews, whether the allocator may list and watch everything its
/// configuration reads. Upstream never checks, and a missing permission there looks like "no targets".
/// </summary>
public static class RbacPreflight
{
    /// <summary>The permissions a configuration needs for its Kubernetes discovery and its collector watcher.</summary>
    public static IReadOnlyList<Permission> Required(TargetAllocatorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var needed = new SortedSet<(string Group, string Resource, string Namespace)>();
        if (config.Collectors.Static is null)
        {
            needed.Add(("", "pods", config.CollectorNamespace));
        }

        foreach (var job in config.PromConfig?.ScrapeConfigs ?? [])
        {
            foreach (var sd in job.KubernetesSdConfigs)
            {
                if (sd.ApiServer.Length > 0 || sd.KubeconfigFile.Length > 0)
                {
                    // Another API server with its own credentials: not the allocator's identity to check.
                    continue;
                }

                foreach (var n in NeededBy(sd))
                {
                    needed.Add(n);
                }
            }
        }

        if (config.PrometheusCr.Enabled)
        {
            // The watcher lists and watches the four CRDs, namespaces for the selectors, and the Secrets and ConfigMaps
            // of the secret namespaces (those of other namespaces are watched once a resource references them).
            var cr = config.PrometheusCr;
            IEnumerable<string> monitorNamespaces = cr.AllowNamespaces is { Count: > 0 } allow ? allow : [""];
            foreach (var ns in monitorNamespaces)
            {
                foreach (var plural in new[] { "servicemonitors", "podmonitors", "probes", "scrapeconfigs" })
                {
                    needed.Add(("monitoring.coreos.com", plural, ns));
                }
            }

            needed.Add(("", "namespaces", ""));
            var deny = cr.DenyNamespaces ?? [];
            foreach (var ns in (cr.SecretNamespaces is { Count: > 0 } secretNamespaces ? secretNamespaces : [config.CollectorNamespace]).Except(deny))
            {
                needed.Add(("", "secrets", ns));
                needed.Add(("", "configmaps", ns));
            }
        }

        return [.. needed.SelectMany(n => new[] { new Permission("list", n.Group, n.Resource, n.Namespace), new Permission("watch", n.Group, n.Resource, n.Namespace) })];
    }

    /// <summary>The list and watch permissions one <c>kubernetes_sd_configs</c> entry needs.</summary>
    public static IReadOnlyList<Permission> RequiredFor(KubernetesSdConfig sd)
    {
        ArgumentNullException.ThrowIfNull(sd);
        return [.. NeededBy(sd).Order().SelectMany(n => new[] { new Permission("list", n.Group, n.Resource, n.Namespace), new Permission("watch", n.Group, n.Resource, n.Namespace) })];
    }

    private static IEnumerable<(string Group, string Resource, string Namespace)> NeededBy(KubernetesSdConfig sd)
    {
        IEnumerable<string> namespaces = sd.NamespaceNames.Count > 0 ? sd.NamespaceNames : [""];
        foreach (var ns in namespaces)
        {
            foreach (var (group, resource) in ResourcesOf(sd.Role))
            {
                yield return (group, resource, resource == "nodes" ? "" : ns);
            }
        }
    }

    /// <summary>The permissions of <paramref name="required"/> that the API server denies.</summary>
    public static async Task<IReadOnlyList<Permission>> MissingAsync(IKubernetes client, IReadOnlyList<Permission> required, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(required);
        var missing = new List<Permission>();
        foreach (var p in required)
        {
            var review = await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(
                new V1SelfSubjectAccessReview
                {
                    ApiVersion = "authorization.k8s.io/v1",
                    Kind = "SelfSubjectAccessReview",
                    Spec = new V1SelfSubjectAccessReviewSpec
                    {
                        ResourceAttributes = new V1ResourceAttributes
                        {
                            Verb = p.Verb,
                            Group = p.Group,
                            Resource = p.Resource,
                            NamespaceProperty = p.Namespace.Length == 0 ? null : p.Namespace,
                        },
                    },
                },
                cancellationToken: cancellationToken);
            if (review.Status?.Allowed != true)
            {
                missing.Add(p);
            }
        }

        return missing;
    }

    private static IEnumerable<(string Group, string Resource)> ResourcesOf(string role) => role switch
    {
        "pod" => [("", "pods")],
        "service" => [("", "services")],
        "endpoints" => [("", "endpoints"), ("", "services"), ("", "pods")],
        "endpointslice" => [("discovery.k8s.io", "endpointslices"), ("", "services"), ("", "pods")],
        "node" => [("", "nodes")],
        "ingress" => [("networking.k8s.io", "ingresses")],
        _ => [],
    };
}
