using System.Net;
using System.Text.Json;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>Explain names the permissions a never-discovered target's candidate job lacks.</summary>
public sealed class ExplainRbacTests
{
    [Fact]
    public async Task Explain_NeverDiscovered_NamesMissingPermissionOfCandidateJob()
    {
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        var dir = Directory.CreateTempSubdirectory("qm-rbac-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        api.DenyAccess("list", "endpointslices", "discovery.k8s.io", "shop");

        await using var host = await AllocatorHost.StartAsync($$"""
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
}
