using System.Text.Json.Nodes;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>Real Prometheus servers as collectors scrape targets that the allocator discovered from the Kubernetes API.</summary>
public sealed class PrometheusFromKubernetesTests
{
    [Fact]
    public async Task TargetsFromEndpointSlices_AreScrapedByExactlyOnePrometheus()
    {
        Assert.True(PrometheusServer.IsInstalled, "prometheus is not installed; run ./test.sh, which installs it");
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        var dir = Directory.CreateTempSubdirectory("qm-k8s-prom-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        api.Upsert(KubeObjects.Service("shop", "web"));

        await using var fleet = await PrometheusFleet.StartAsync(
            targets: 6,
            collectors: 2,
            allocatorConfig: (ids, _) => $$"""
                kube_config_file_path: {{kubeconfig}}
                collectors: {static: [{{string.Join(", ", ids)}}]}
                config:
                  scrape_configs:
                    - job_name: {{PrometheusFleet.Job}}
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      kubernetes_sd_configs:
                        - role: endpointslice
                          namespaces:
                            names: [shop]
                """,
            directory: dir);

        // One slice per target: every fake target listens on its own loopback port.
        foreach (var (target, i) in fleet.Targets.Select((t, i) => (t, i)))
        {
            var port = int.Parse(target.Address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
            api.Upsert(KubeObjects.EndpointSlice("shop", $"web-{i}", "web", ["127.0.0.1"], port));
        }

        var all = fleet.Targets.Select(t => t.Address).ToHashSet();
        // Every target scraped, up, by exactly the Prometheus the allocator gave it to (ports are random, so how many
        // land on each collector varies from run to run).
        await fleet.AssertPrometheusHoldsAllocationAsync(all);
    }
}
