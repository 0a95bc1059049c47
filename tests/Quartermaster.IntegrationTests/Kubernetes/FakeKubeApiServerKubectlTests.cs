using System.Text.Json.Nodes;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>The real kubectl lists, filters, watches and discovers through the fake API server.</summary>
public sealed class FakeKubeApiServerKubectlTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("qm-kube-").FullName;
    private FakeKubeApiServer _server = null!;
    private string _kubeconfig = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _kubeconfig = _server.WriteKubeconfig(_directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task GetPods_AllNamespaces_ListsSeededPods()
    {
        _server.Upsert(KubeObjects.Pod("team-a", "web-0", Labels("app", "web"), "node-1"));
        _server.Upsert(KubeObjects.Pod("team-b", "db-0", Labels("app", "db"), "node-2"));

        var result = await Kubectl.RunAsync(_kubeconfig, Timeout, "get", "pods", "-A", "-o", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var items = Items(result.Stdout);
        Assert.Equal(["team-a/web-0", "team-b/db-0"], items.Select(i => $"{i["metadata"]!["namespace"]}/{i["metadata"]!["name"]}"));
        Assert.All(items, i => Assert.Equal("Pod", (string?)i["kind"]));
        Assert.Equal("node-1", (string?)items[0]["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task GetPods_NamespaceAndLabelSelector_Filters()
    {
        _server.Upsert(KubeObjects.Pod("ns", "x-0", Labels("app", "x")));
        _server.Upsert(KubeObjects.Pod("ns", "y-0", Labels("app", "y")));
        _server.Upsert(KubeObjects.Pod("other", "x-1", Labels("app", "x")));

        var result = await Kubectl.RunAsync(_kubeconfig, Timeout, "get", "pods", "-n", "ns", "-l", "app=x", "-o", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["x-0"], Items(result.Stdout).Select(i => (string?)i["metadata"]!["name"]));
        Assert.Contains(_server.Requests, r => r.Path == "/api/v1/namespaces/ns/pods" && r.QueryValue("labelSelector") == "app=x");
    }

    [Fact]
    public async Task GetEndpointSlices_Watch_ReceivesInitialThenPushedObjects()
    {
        _server.Upsert(KubeObjects.EndpointSlice("default", "web-abc", "web", ["10.0.0.1"]));

        using var kubectl = Kubectl.Start(_kubeconfig, "get", "endpointslices", "-A", "--watch", "-o", "json");
        await kubectl.WaitForStdoutAsync(o => o.Contains("\"web-abc\"", StringComparison.Ordinal), Timeout);
        await _server.WaitForRequestAsync(r => r.IsWatch && r.Path.EndsWith("/endpointslices", StringComparison.Ordinal), Timeout,
            TestContext.Current.CancellationToken);

        _server.Upsert(KubeObjects.EndpointSlice("default", "api-def", "api", ["10.0.0.2"]));
        await kubectl.WaitForStdoutAsync(o => o.Contains("\"api-def\"", StringComparison.Ordinal), Timeout);
        _server.Upsert(KubeObjects.EndpointSlice("default", "web-abc", "web", ["10.0.0.1", "10.0.0.99"]));
        var output = await kubectl.WaitForStdoutAsync(o => o.Contains("10.0.0.99", StringComparison.Ordinal), Timeout);
        kubectl.Kill();

        Assert.True(output.IndexOf("\"web-abc\"", StringComparison.Ordinal) < output.IndexOf("\"api-def\"", StringComparison.Ordinal));
        var watch = Assert.Single(_server.Requests, r => r.IsWatch);
        Assert.Equal("1", watch.QueryValue("resourceVersion"));
    }

    [Fact]
    public async Task GetRaw_WatchFromExpiredResourceVersion_ShowsExpiredStatus()
    {
        _server.Upsert(KubeObjects.Pod("default", "a"));
        _server.Upsert(KubeObjects.Pod("default", "b"));
        _server.ExpireBefore(2);

        var result = await Kubectl.RunAsync(_kubeconfig, Timeout, "get", "--raw", "/api/v1/namespaces/default/pods?watch=1&resourceVersion=1");

        var line = Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var watchEvent = JsonNode.Parse(line)!;
        Assert.Equal("ERROR", (string?)watchEvent["type"]);
        Assert.Equal("Status", (string?)watchEvent["object"]!["kind"]);
        Assert.Equal("Failure", (string?)watchEvent["object"]!["status"]);
        Assert.Equal("Expired", (string?)watchEvent["object"]!["reason"]);
        Assert.Equal(410, (int)watchEvent["object"]!["code"]!);
    }

    [Fact]
    public async Task ApiResources_Discovery_ListsEveryServedKind()
    {
        var result = await Kubectl.RunAsync(_kubeconfig, Timeout, "api-resources", "-o", "name");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var names = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        var expected = KubeResourceCatalog.All.Select(r => r.Group.Length == 0 ? r.Plural : $"{r.Plural}.{r.Group}")
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, names);
    }

    [Fact]
    public async Task GetServiceMonitors_ThroughDiscovery_ListsCustomResources()
    {
        _server.Upsert(KubeObjects.ServiceMonitor("monitoring", "web", Labels("app", "web")));

        var result = await Kubectl.RunAsync(_kubeconfig, Timeout, "get", "servicemonitors", "-A", "-o", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var item = Assert.Single(Items(result.Stdout));
        Assert.Equal("monitoring.coreos.com/v1", (string?)item["apiVersion"]);
        Assert.Equal("web", (string?)item["spec"]!["selector"]!["matchLabels"]!["app"]);
        Assert.Contains(_server.Requests, r => r.Path == "/apis/monitoring.coreos.com/v1/servicemonitors");
    }

    [Fact]
    public async Task GetPod_ByNameMissing_ReportsNotFound()
    {
        var result = await Kubectl.RunAsync(_kubeconfig, Timeout, "get", "pod", "nope", "-n", "default", "-o", "json");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("pods \"nope\" not found", result.Stderr, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Labels(string key, string value) => new() { [key] = value };

    private static List<JsonNode> Items(string json) => [.. JsonNode.Parse(json)!["items"]!.AsArray().Select(n => n!)];
}
