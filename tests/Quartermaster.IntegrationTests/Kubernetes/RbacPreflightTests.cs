using System.Net;
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
        var dir = Directory.CreateTempSubdirectory("qm-rbac-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        api.DenyAccess("list", "endpointslices", "discovery.k8s.io", "shop");
        api.DenyAccess("watch", "endpointslices", "discovery.k8s.io", "shop");

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
}
