using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Quartermaster.TestCommon.Kubernetes;

public sealed partial class FakeKubeApiServer
{
    // Plain (non-aggregated) discovery documents. A client asking for aggregated discovery
    // (application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList) gets these with content type
    // application/json and falls back to per-group-version requests, as against an older server.
    private async Task<bool> TryServeDiscoveryAsync(HttpContext context, string path, CancellationToken cancellationToken)
    {
        JsonNode? document = path switch
        {
            "/version" => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = Invariant(_options.MinorVersion),
                ["gitVersion"] = $"v1.{_options.MinorVersion}.0",
                ["gitCommit"] = "0000000000000000000000000000000000000000",
                ["gitTreeState"] = "clean",
                ["buildDate"] = "2025-01-01T00:00:00Z",
                ["goVersion"] = "go1.23.0",
                ["compiler"] = "gc",
                ["platform"] = "linux/amd64",
            },
            "/api" => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
                {
                    ["clientCIDR"] = "0.0.0.0/0",
                    ["serverAddress"] = BaseAddress.Authority,
                }),
            },
            "/apis" => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray([.. ServedGroupVersions().Where(gv => gv.Group.Length > 0)
                    .Select(gv => gv.Group).Distinct().Select(g => (JsonNode)GroupDocument(g))]),
            },
            "/healthz" or "/readyz" or "/livez" => null,
            _ => DiscoveryDocument(path),
        };

        if (document is null)
        {
            if (path is "/healthz" or "/readyz" or "/livez")
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("ok", cancellationToken);
                return true;
            }

            return false;
        }

        await WriteJsonAsync(context, document.ToJsonString(), cancellationToken);
        return true;
    }

    private JsonObject? DiscoveryDocument(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["api", var coreVersion] && ServedGroupVersions().Contains(("", coreVersion)))
        {
            return ResourceListDocument("", coreVersion);
        }

        if (segments is ["apis", var group] && ServedGroupVersions().Any(gv => gv.Group == group))
        {
            var document = GroupDocument(group);
            document["kind"] = "APIGroup";
            document["apiVersion"] = "v1";
            return document;
        }

        if (segments is ["apis", var g, var version] && ServedGroupVersions().Contains((g, version)))
        {
            return ResourceListDocument(g, version);
        }

        return null;
    }

    private JsonObject GroupDocument(string group)
    {
        var versions = ServedGroupVersions().Where(gv => gv.Group == group)
            .Select(gv => new JsonObject { ["groupVersion"] = $"{group}/{gv.Version}", ["version"] = gv.Version })
            .ToArray();
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions]),
            ["preferredVersion"] = versions[0].DeepClone(),
        };
    }

    private JsonObject ResourceListDocument(string group, string version)
    {
        var resources = KubeResourceCatalog.All.Where(r => r.Group == group && r.Version == version && Served(r)).Select(r =>
        {
            var resource = new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
            };
            if (r.ShortNames.Count > 0)
            {
                resource["shortNames"] = new JsonArray([.. r.ShortNames.Select(s => (JsonNode)s)]);
            }

            if (r.IsCustom)
            {
                resource["categories"] = new JsonArray("prometheus-operator");
            }

            return (JsonNode)resource;
        });
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = new JsonArray([.. resources]),
        };
    }

    /// <summary>Whether the kind is served: not listed in <see cref="FakeKubeApiServerOptions.UnservedResources"/> (a CRD not installed).</summary>
    private bool Served(KubeResource resource) => !_options.UnservedResources.Contains(resource.Plural);

    private IEnumerable<(string Group, string Version)> ServedGroupVersions() =>
        KubeResourceCatalog.GroupVersions.Where(gv => KubeResourceCatalog.All.Any(r => r.Group == gv.Group && r.Version == gv.Version && Served(r)));
}
