using System.Net;
using System.Text.Json;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>A permission the configuration needs and lacks is named, instead of silently yielding no targets.</summary>
public sealed class RbacPreflightTests
{
    [Fact]
    public async Task MissingPermission_IsNamedInReadyzVerboseAndMetrics()
    {
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        await using var host = await StartDeniedAsync(api, "list", "watch");

        // /readyz?verbose answers 503 until the first config is published; read the body whatever the status.
        string verbose = "";
        await AllocatorHost.WaitUntilAsync(
            async () => (verbose = await (await host.Client.GetAsync("/readyz?verbose")).Content.ReadAsStringAsync()).Contains("missing permission", StringComparison.Ordinal)
                && verbose.Contains("readyz check passed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            "the permission check");

        Assert.Contains("[-] missing permission: list endpointslices.discovery.k8s.io in namespace shop", verbose, StringComparison.Ordinal);
        Assert.Contains("[-] missing permission: watch endpointslices.discovery.k8s.io in namespace shop", verbose, StringComparison.Ordinal);
        Assert.DoesNotContain("missing permission: list pods", verbose, StringComparison.Ordinal);
        Assert.EndsWith("readyz check passed\n", verbose, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);
        Assert.Equal("", await host.GetStringAsync("/readyz"));
        Assert.Matches("quartermaster_rbac_missing_permission\\{[^}]*resource=\"endpointslices.discovery.k8s.io\"[^}]*verb=\"list\"[^}]*\\} 1", await host.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Explain_NeverDiscovered_NamesMissingPermissionOfCandidateJob()
    {
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        await using var host = await StartDeniedAsync(api, "list");
        await AllocatorHost.WaitUntilAsync(
            async () => (await (await host.Client.GetAsync("/readyz?verbose")).Content.ReadAsStringAsync()).Contains("missing permission", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            "the permission check");

        using var response = await host.Client.GetAsync("/explain?target=10.1.2.3:8080");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var shop = Assert.Single(body.RootElement.GetProperty("candidate_jobs").EnumerateArray());
        Assert.True(shop.GetProperty("could_have_found").GetBoolean());
        var source = Assert.Single(shop.GetProperty("sources").EnumerateArray());
        Assert.Equal("role endpointslice in namespaces shop", source.GetProperty("watches").GetString());
        Assert.Equal(
            ["list endpointslices.discovery.k8s.io in namespace shop"],
            source.GetProperty("missing_permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Contains("lacks permissions", shop.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The allocator with one endpointslice job in namespace <c>shop</c>, lacking the given verbs there.</summary>
    private static async Task<AllocatorHost> StartDeniedAsync(FakeKubeApiServer api, params string[] deniedVerbs)
    {
        var dir = Directory.CreateTempSubdirectory("qm-rbac-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        foreach (var verb in deniedVerbs)
        {
            api.DenyAccess(verb, "endpointslices", "discovery.k8s.io", "shop");
        }

        return await AllocatorHost.StartAsync($$"""
            kube_config_file_path: {{kubeconfig}}
            collectors: {static: [collector-0]}
            config:
              scrape_configs:
                - job_name: shop
                  kubernetes_sd_configs:
                    - role: endpointslice
                      namespaces:
                        names: [shop]
            """, dir);
    }
}
