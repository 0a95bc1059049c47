using System.Text.Json;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>Collectors are the selected pods of collector_namespace, followed as they scale, go away or turn unready.</summary>
public sealed class CollectorWatcherEndToEndTests
{
    private static readonly Dictionary<string, string> CollectorLabels = new() { ["app.kubernetes.io/component"] = "opentelemetry-collector" };

    private static async Task<string[]> CollectorsAsync(AllocatorHost host)
    {
        using var doc = JsonDocument.Parse(await host.GetStringAsync("/collectors"));
        return [.. doc.RootElement.GetProperty("collectors").EnumerateObject().Select(c => c.Name)];
    }

    private static async Task<Dictionary<string, string>> OwnersAsync(AllocatorHost host, string job)
    {
        using var doc = JsonDocument.Parse(await host.GetStringAsync($"/jobs/{job}/targets"));
        var owners = new Dictionary<string, string>();
        foreach (var collector in doc.RootElement.EnumerateObject())
        {
            foreach (var group in collector.Value.GetProperty("targets").EnumerateArray())
            {
                owners.Add(group.GetProperty("targets")[0].GetString()!, collector.Name);
            }
        }

        return owners;
    }

    [Fact]
    public async Task CollectorPods_AreTheCollectors_AndChurnMovesOnlyWhatItMust()
    {
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        var dir = Directory.CreateTempSubdirectory("qm-k8s-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        api.Upsert(KubeObjects.Pod("otel", "collector-a", CollectorLabels, nodeName: "n1"));
        api.Upsert(KubeObjects.Pod("otel", "collector-b", CollectorLabels, nodeName: "n2"));
        api.Upsert(KubeObjects.Pod("otel", "unrelated", new Dictionary<string, string> { ["app"] = "other" }, nodeName: "n1"));
        api.Upsert(KubeObjects.Pod("otel", "collector-pending", CollectorLabels, nodeName: null, phase: "Pending"));
        string[] addresses = [.. Enumerable.Range(1, 30).Select(i => $"10.1.0.{i}")];
        api.Upsert(KubeObjects.Service("shop", "web"));
        api.Upsert(KubeObjects.EndpointSlice("shop", "web-1", "web", addresses));

        await using var host = await AllocatorHost.StartAsync($$"""
            kube_config_file_path: {{kubeconfig}}
            collector_namespace: otel
            collector_selector:
              matchlabels:
                app.kubernetes.io/component: opentelemetry-collector
            collector_not_ready_grace_period: 1s
            config:
              scrape_configs:
                - job_name: shop
                  kubernetes_sd_configs:
                    - role: endpointslice
                      namespaces:
                        names: [shop]
            """, dir);

        await AllocatorHost.WaitUntilAsync(async () => (await CollectorsAsync(host)).SequenceEqual(["collector-a", "collector-b"]), TimeSpan.FromSeconds(30), "the two collector pods");
        await AllocatorHost.WaitUntilAsync(async () => (await OwnersAsync(host, "shop")).Count == 30, TimeSpan.FromSeconds(30), "all 30 targets assigned");
        var before = await OwnersAsync(host, "shop");
        Assert.Equal(["collector-a", "collector-b"], before.Values.Distinct().Order());

        // Scale up: the new pod becomes a collector.
        api.Upsert(KubeObjects.Pod("otel", "collector-c", CollectorLabels, nodeName: "n3"));
        await AllocatorHost.WaitUntilAsync(async () => (await CollectorsAsync(host)).Length == 3, TimeSpan.FromSeconds(30), "the third collector");

        // Deleting a pod re-assigns its targets; every target still has exactly one collector.
        api.Delete("Pod", "otel", "collector-a");
        await AllocatorHost.WaitUntilAsync(async () => !(await CollectorsAsync(host)).Contains("collector-a"), TimeSpan.FromSeconds(30), "collector-a to go");
        var afterDelete = await OwnersAsync(host, "shop");
        Assert.Equal(30, afterDelete.Count);
        Assert.DoesNotContain("collector-a", afterDelete.Values);

        // Not ready past the grace period: treated as gone.
        api.Upsert(KubeObjects.Pod("otel", "collector-b", CollectorLabels, nodeName: "n2", ready: false));
        await AllocatorHost.WaitUntilAsync(async () => (await CollectorsAsync(host)).SequenceEqual(["collector-c"]), TimeSpan.FromSeconds(30), "unready collector-b to be dropped after the grace period");
        Assert.All((await OwnersAsync(host, "shop")).Values, owner => Assert.Equal("collector-c", owner));
    }
}
