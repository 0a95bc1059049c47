using System.Text.Json;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>The allocator discovering targets from a Kubernetes API (the fake server) through kubernetes_sd_configs.</summary>
public sealed class KubernetesSdEndToEndTests
{
    private static async Task<HashSet<string>> ServedAsync(AllocatorHost host, string job)
    {
        var result = new HashSet<string>();
        foreach (var collector in new[] { "collector-0", "collector-1" })
        {
            using var doc = JsonDocument.Parse(await host.GetStringAsync($"/jobs/{job}/targets?collector_id={collector}"));
            foreach (var group in doc.RootElement.EnumerateArray())
            {
                result.Add(group.GetProperty("targets")[0].GetString()!);
            }
        }

        return result;
    }

    [Fact]
    public async Task EndpointSliceRole_ServesDiscoveredEndpoints_AndFollowsChanges()
    {
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        var dir = Directory.CreateTempSubdirectory("qm-k8s-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        api.Upsert(KubeObjects.Service("shop", "web", labels: new Dictionary<string, string> { ["app"] = "web" }));
        api.Upsert(KubeObjects.EndpointSlice("shop", "web-1", "web", ["10.0.0.1", "10.0.0.2"]));
        api.Upsert(KubeObjects.EndpointSlice("other", "x-1", "x", ["10.9.0.1"]));

        await using var host = await AllocatorHost.StartAsync($$"""
            kube_config_file_path: {{kubeconfig}}
            collectors: {static: [collector-0, collector-1]}
            config:
              scrape_configs:
                - job_name: shop
                  kubernetes_sd_configs:
                    - role: endpointslice
                      namespaces: {names: [shop]}
                  relabel_configs:
                    - source_labels: [__meta_kubernetes_service_label_app]
                      regex: web
                      action: keep
            """, dir);

        try
        {
            await AllocatorHost.WaitUntilAsync(
                async () => (await ServedAsync(host, "shop")).SetEquals(["10.0.0.1:8080", "10.0.0.2:8080"]),
                TimeSpan.FromSeconds(30),
                "the endpoint slice's two endpoints");
        }
        catch (TimeoutException)
        {
            var discovery = (Quartermaster.Discovery.DiscoveryManager)host.Services.GetService(typeof(Quartermaster.Discovery.DiscoveryManager))!;
            Assert.Fail($"served {string.Join(",", await ServedAsync(host, "shop"))}; sources {string.Join("; ", discovery.Sources.Select(s => s.Job + ":" + s.LastError))}; jobs {await host.GetStringAsync("/jobs")}; requests {string.Join(" ", api.Requests.Select(r => r.Path + "?" + r.Query))}");
        }
        var map = await host.GetStringAsync("/jobs/shop/targets");
        Assert.Contains("\"__meta_kubernetes_endpointslice_name\":\"web-1\"", map, StringComparison.Ordinal);
        Assert.Contains("\"__meta_kubernetes_service_label_app\":\"web\"", map, StringComparison.Ordinal);

        api.Upsert(KubeObjects.EndpointSlice("shop", "web-2", "web", ["10.0.0.3"]));
        await AllocatorHost.WaitUntilAsync(
            async () => (await ServedAsync(host, "shop")).Contains("10.0.0.3:8080"),
            TimeSpan.FromSeconds(30),
            "a new endpoint slice");

        // A dropped watch loses nothing; the change made meanwhile still arrives.
        api.DropWatches();
        api.Delete("EndpointSlice", "shop", "web-1");
        await AllocatorHost.WaitUntilAsync(
            async () => (await ServedAsync(host, "shop")).SetEquals(["10.0.0.3:8080"]),
            TimeSpan.FromSeconds(30),
            "the deleted slice's endpoints to go");

        // An expired watch (410) makes the cache relist; what changed meanwhile arrives, nothing known is lost.
        api.ExpireWatches();
        api.Upsert(KubeObjects.EndpointSlice("shop", "web-3", "web", ["10.0.0.4"]));
        await AllocatorHost.WaitUntilAsync(
            async () => (await ServedAsync(host, "shop")).SetEquals(["10.0.0.3:8080", "10.0.0.4:8080"]),
            TimeSpan.FromSeconds(30),
            "the slice added while the watch was expired");

        // Deleting the Service takes its labels off the slices' targets, so the job's keep rule drops them all.
        api.Delete("Service", "shop", "web");
        await AllocatorHost.WaitUntilAsync(
            async () => (await ServedAsync(host, "shop")).Count == 0,
            TimeSpan.FromSeconds(30),
            "the deleted service's targets to be dropped");
        Assert.Equal("[]\n", await host.GetStringAsync("/jobs/shop/targets?collector_id=collector-0"));
    }

    [Fact]
    public async Task NoKubernetesAccess_JobReportsWhy_OtherJobsServe()
    {
        var dir = Directory.CreateTempSubdirectory("qm-k8s-").FullName;
        await using var host = await AllocatorHost.StartAsync($$"""
            kube_config_file_path: {{Path.Combine(dir, "missing-kubeconfig")}}
            collectors: {static: [collector-0, collector-1]}
            config:
              scrape_configs:
                - job_name: k8s
                  kubernetes_sd_configs: [{role: pod}]
                - job_name: plain
                  static_configs: [{targets: ["a:1"]}]
            """, dir);

        await AllocatorHost.WaitUntilAsync(async () => (await ServedAsync(host, "plain")).Contains("a:1"), TimeSpan.FromSeconds(10), "the static job");
        var discovery = (Quartermaster.Discovery.DiscoveryManager)host.Services.GetService(typeof(Quartermaster.Discovery.DiscoveryManager))!;
        var k8s = Assert.Single(discovery.Sources, s => s.Job == "k8s");
        Assert.Contains("in-cluster", k8s.LastError, StringComparison.Ordinal);
    }
}
