using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>The fake API server's list/watch protocol and fault injection, over plain HTTP.</summary>
public sealed class FakeKubeApiServerHttpTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private FakeKubeApiServer _server = null!;
    private HttpClient _client = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync(cancellationToken: Cancel);
        _client = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = Timeout };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughConsistentSnapshot()
    {
        for (var i = 0; i < 5; i++)
        {
            _server.Upsert(KubeObjects.Pod("default", $"p{i}"));
        }

        var first = await GetJsonAsync("/api/v1/pods?limit=2");
        _server.Upsert(KubeObjects.Pod("default", "p9"));
        _server.Delete("pods", "default", "p3");
        var second = await GetJsonAsync($"/api/v1/pods?limit=2&continue={Uri.EscapeDataString((string)first["metadata"]!["continue"]!)}");
        var third = await GetJsonAsync($"/api/v1/pods?limit=2&continue={Uri.EscapeDataString((string)second["metadata"]!["continue"]!)}");

        Assert.Equal("PodList", (string?)first["kind"]);
        Assert.Equal("5", (string?)first["metadata"]!["resourceVersion"]);
        Assert.Equal(3, (int)first["metadata"]!["remainingItemCount"]!);
        Assert.Equal("5", (string?)third["metadata"]!["resourceVersion"]);
        Assert.Null(third["metadata"]!["continue"]);
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], new[] { first, second, third }.SelectMany(Names));
    }

    [Fact]
    public async Task List_ContinueAfterCompaction_Returns410Expired()
    {
        for (var i = 0; i < 3; i++)
        {
            _server.Upsert(KubeObjects.Pod("default", $"p{i}"));
        }

        var first = await GetJsonAsync("/api/v1/namespaces/default/pods?limit=1");
        _server.Upsert(KubeObjects.Pod("default", "p9"));
        _server.ExpireBefore(_server.ResourceVersion);

        using var response = await _client.GetAsync(
            $"/api/v1/namespaces/default/pods?limit=1&continue={Uri.EscapeDataString((string)first["metadata"]!["continue"]!)}", Cancel);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
        Assert.Equal("Expired", (string?)status["reason"]);
        Assert.Equal(410, (int)status["code"]!);
    }

    [Theory]
    [InlineData("app=web", "a,b")]
    [InlineData("app==web", "a,b")]
    [InlineData("app!=web", "c,d")]
    [InlineData("app in (web,db)", "a,b,c")]
    [InlineData("app notin (web)", "c,d")]
    [InlineData("tier", "a,c")]
    [InlineData("!tier", "b,d")]
    [InlineData("app=web,tier=front", "a")]
    [InlineData("app in (web, db),!tier", "b")]
    [InlineData("rank>1", "b")]
    [InlineData("", "a,b,c,d")]
    public async Task List_LabelSelector_MatchesLikeTheApiServer(string selector, string expected)
    {
        _server.Upsert(KubeObjects.Pod("default", "a", new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front", ["rank"] = "1" }));
        _server.Upsert(KubeObjects.Pod("default", "b", new Dictionary<string, string> { ["app"] = "web", ["rank"] = "2" }));
        _server.Upsert(KubeObjects.Pod("default", "c", new Dictionary<string, string> { ["app"] = "db", ["tier"] = "back" }));
        _server.Upsert(KubeObjects.Pod("default", "d"));

        var list = await GetJsonAsync($"/api/v1/pods?labelSelector={Uri.EscapeDataString(selector)}");

        Assert.Equal(expected.Split(','), Names(list));
    }

    [Theory]
    [InlineData("metadata.name=b", "b")]
    [InlineData("metadata.namespace==other", "c")]
    [InlineData("spec.nodeName=node-1", "a,c")]
    [InlineData("spec.nodeName!=node-1", "b")]
    [InlineData("status.phase=Pending,spec.nodeName=node-1", "c")]
    public async Task List_FieldSelector_MatchesIndexedFields(string selector, string expected)
    {
        _server.Upsert(KubeObjects.Pod("default", "a", nodeName: "node-1"));
        _server.Upsert(KubeObjects.Pod("default", "b", nodeName: "node-2"));
        _server.Upsert(KubeObjects.Pod("other", "c", nodeName: "node-1", phase: "Pending"));

        var list = await GetJsonAsync($"/api/v1/pods?fieldSelector={Uri.EscapeDataString(selector)}");

        Assert.Equal(expected.Split(','), Names(list));
    }

    [Theory]
    [InlineData("fieldSelector=spec.bogus%3Dx")]
    [InlineData("labelSelector=app%20in%20web")]
    [InlineData("labelSelector=%3Dx")]
    public async Task List_InvalidSelector_Returns400(string query)
    {
        using var response = await _client.GetAsync($"/api/v1/pods?{query}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadRequest", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!["reason"]);
    }

    [Fact]
    public async Task Get_ByName_ReturnsObjectOr404Status()
    {
        _server.Upsert(KubeObjects.Node("node-1"));

        var node = await GetJsonAsync("/api/v1/nodes/node-1");
        using var missing = await _client.GetAsync("/api/v1/namespaces/default/pods/nope", Cancel);

        Assert.Equal("Node", (string?)node["kind"]);
        Assert.Equal("node-1", (string?)node["metadata"]!["name"]);
        Assert.Null(node["metadata"]!["namespace"]);
        Assert.NotNull((string?)node["metadata"]!["uid"]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NotFound", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync(Cancel))!["reason"]);
    }

    [Fact]
    public async Task Watch_FromResourceVersion_ReplaysLaterChangesAndSelectorTransitions()
    {
        var web = new Dictionary<string, string> { ["app"] = "web" };
        _server.Upsert(KubeObjects.Pod("default", "a", web));
        var start = _server.ResourceVersion;
        _server.Upsert(KubeObjects.Pod("default", "b", web));
        _server.Upsert(KubeObjects.Pod("default", "a", new Dictionary<string, string> { ["app"] = "other" }));
        _server.Upsert(KubeObjects.Pod("default", "c"));

        using var watch = await OpenWatchAsync($"/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dweb&resourceVersion={start}");
        var replayed = await watch.ReadEventsAsync(2);
        _server.Upsert(KubeObjects.Pod("default", "b", web, nodeName: "node-1"));
        _server.Delete("pods", "default", "b");
        var live = await watch.ReadEventsAsync(2);

        Assert.Equal(["ADDED b 2", "DELETED a 3", "MODIFIED b 5", "DELETED b 6"], replayed.Concat(live).Select(Describe));
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithCurrentStateThenLiveEvents()
    {
        _server.Upsert(KubeObjects.Pod("a", "p1"));
        _server.Upsert(KubeObjects.Pod("b", "p2"));

        using var watch = await OpenWatchAsync("/api/v1/pods?watch=true");
        var initial = await watch.ReadEventsAsync(2);
        _server.Upsert(KubeObjects.Pod("a", "p3"));
        var live = await watch.ReadEventsAsync(1);

        Assert.Equal(["ADDED p1 1", "ADDED p2 2", "ADDED p3 3"], initial.Concat(live).Select(Describe));
    }

    [Fact]
    public async Task Watch_AllowWatchBookmarks_ReceivesBookmarkAtCurrentVersion()
    {
        _server.Upsert(KubeObjects.Pod("default", "a"));
        using var withBookmarks = await OpenWatchAsync("/api/v1/pods?watch=1&resourceVersion=1&allowWatchBookmarks=true");
        using var without = await OpenWatchAsync("/api/v1/pods?watch=1&resourceVersion=1");
        await WaitForWatchesAsync(2);

        _server.Upsert(KubeObjects.Namespace("ns-1"));
        _server.SendBookmarks();
        _server.Upsert(KubeObjects.Pod("default", "b"));
        var bookmarked = await withBookmarks.ReadEventsAsync(2);
        var plain = await without.ReadEventsAsync(1);

        Assert.Equal(["BOOKMARK  2", "ADDED b 3"], bookmarked.Select(Describe));
        Assert.Equal("Pod", (string?)bookmarked[0]["object"]!["kind"]);
        Assert.Equal(["ADDED b 3"], plain.Select(Describe));
    }

    [Fact]
    public async Task Watch_SendInitialEvents_EndsInitialStateWithAnnotatedBookmark()
    {
        _server.Upsert(KubeObjects.Pod("default", "a"));

        using var watch = await OpenWatchAsync(
            "/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
        var events = await watch.ReadEventsAsync(2);

        Assert.Equal(["ADDED a 1", "BOOKMARK  1"], events.Select(Describe));
        Assert.Equal("true", (string?)events[1]["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task Watch_TimeoutSeconds_EndsStreamCleanly()
    {
        using var watch = await OpenWatchAsync("/api/v1/pods?watch=1&timeoutSeconds=1");

        var events = await watch.ReadToEndAsync();

        Assert.Empty(events);
        Assert.Equal(0, _server.OpenWatchCount);
    }

    [Fact]
    public async Task Watch_ExpiredResourceVersion_SendsExpiredErrorEvent()
    {
        _server.Upsert(KubeObjects.Pod("default", "a"));
        _server.Upsert(KubeObjects.Pod("default", "b"));
        _server.ExpireBefore(2);

        using var expired = await OpenWatchAsync("/api/v1/pods?watch=1&resourceVersion=1");
        var events = await expired.ReadToEndAsync();
        using var valid = await OpenWatchAsync("/api/v1/pods?watch=1&resourceVersion=2");
        _server.Upsert(KubeObjects.Pod("default", "c"));
        var resumed = await valid.ReadEventsAsync(1);

        var error = Assert.Single(events);
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
        Assert.Equal(410, (int)error["object"]!["code"]!);
        Assert.Equal(["ADDED c 3"], resumed.Select(Describe));
    }

    [Fact]
    public async Task Watch_HistoryCapacityExceeded_ExpiresOldVersions()
    {
        await using var server = await FakeKubeApiServer.StartAsync(
            new FakeKubeApiServerOptions { HistoryCapacity = 2, ExpiredWatchAsHttpStatus = true }, Cancel);
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout };
        for (var i = 0; i < 4; i++)
        {
            server.Upsert(KubeObjects.Pod("default", $"p{i}"));
        }

        using var expired = await client.GetAsync("/api/v1/pods?watch=1&resourceVersion=1", Cancel);

        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Equal("Expired", (string?)JsonNode.Parse(await expired.Content.ReadAsStringAsync(Cancel))!["reason"]);
    }

    [Fact]
    public async Task DropWatches_EndsOpenStreamsCleanly()
    {
        using var first = await OpenWatchAsync("/api/v1/pods?watch=1");
        using var second = await OpenWatchAsync("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?watch=1");
        await WaitForWatchesAsync(2);

        var dropped = _server.DropWatches();

        Assert.Equal(2, dropped);
        Assert.Empty(await first.ReadToEndAsync());
        Assert.Empty(await second.ReadToEndAsync());
    }

    [Fact]
    public async Task ExpireWatches_SendsExpiredErrorThenEndsStream()
    {
        _server.Upsert(KubeObjects.Pod("default", "a"));
        using var watch = await OpenWatchAsync("/api/v1/pods?watch=1&resourceVersion=1");
        await WaitForWatchesAsync(1);

        Assert.Equal(1, _server.ExpireWatches());

        var error = Assert.Single(await watch.ReadToEndAsync());
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int)error["object"]!["code"]!);
    }

    [Fact]
    public async Task Dispose_WithOpenWatch_EndsStreamCleanly()
    {
        var server = await FakeKubeApiServer.StartAsync(cancellationToken: Cancel);
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout };
        using var watch = await WatchStream.OpenAsync(client, "/api/v1/pods?watch=1");

        await server.DisposeAsync().AsTask().WaitAsync(Timeout, Cancel);

        Assert.Empty(await watch.ReadToEndAsync());
    }

    [Fact]
    public async Task FailNext_AnswersStatusForCountRequestsThenRecovers()
    {
        _server.FailNext("/api/v1/pods", 500, count: 2);

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await _client.GetAsync("/api/v1/pods", Cancel);
            codes.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.InternalServerError)
            {
                var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
                Assert.Equal("InternalError", (string?)status["reason"]);
            }
        }

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK], codes);
        Assert.Equal(3, _server.Requests.Count(r => r.Path == "/api/v1/pods"));
    }

    [Fact]
    public async Task Stall_HoldsMatchingRequestsUntilTheDelayPasses()
    {
        var time = new FakeTimeProvider();
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { TimeProvider = time }, Cancel);
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout };
        server.Stall("/api/v1/nodes", TimeSpan.FromMinutes(5), count: 1);

        var stalled = client.GetAsync("/api/v1/nodes", Cancel);
        await server.WaitForRequestAsync(r => r.Path == "/api/v1/nodes", Timeout, Cancel);
        using var other = await client.GetAsync("/api/v1/pods", Cancel);
        Assert.False(stalled.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        // The stall's timer is armed just after the request is logged: keep advancing until the response arrives.
        for (var i = 0; i < 500 && !stalled.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMinutes(5));
            await Task.WhenAny(stalled, Task.Delay(20, Cancel));
        }

        using var response = await stalled.WaitAsync(Timeout, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var next = await client.GetAsync("/api/v1/nodes", Cancel);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task DenyAccess_ForbidsListAndAnswersAccessReview()
    {
        _server.DenyAccess("list", "endpointslices", "discovery.k8s.io");

        using var list = await _client.GetAsync("/apis/discovery.k8s.io/v1/endpointslices", Cancel);
        var denied = await ReviewAsync("list", "discovery.k8s.io", "endpointslices");
        var allowed = await ReviewAsync("watch", "", "pods");

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        var status = JsonNode.Parse(await list.Content.ReadAsStringAsync(Cancel))!;
        Assert.Equal("Forbidden", (string?)status["reason"]);
        Assert.Contains("cannot list resource \"endpointslices\" in API group \"discovery.k8s.io\"", (string?)status["message"],
            StringComparison.Ordinal);
        Assert.False((bool)denied["status"]!["allowed"]!);
        Assert.True((bool)allowed["status"]!["allowed"]!);
        Assert.Equal("pods", (string?)allowed["spec"]!["resourceAttributes"]!["resource"]);
    }

    [Fact]
    public async Task BearerToken_RequiredWhenConfigured()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "s3cret" }, Cancel);
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout };

        using var anonymous = await client.GetAsync("/api/v1/pods", Cancel);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        using var authenticated = await client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
        Assert.Contains("token: s3cret", await File.ReadAllTextAsync(server.WriteKubeconfig(Path.GetTempPath()), Cancel), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1", "v1", "pods,services,endpoints,nodes,namespaces,secrets,configmaps,serviceaccounts")]
    [InlineData("/apis/apps/v1", "apps/v1", "deployments")]
    [InlineData("/apis/rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1", "clusterroles,clusterrolebindings")]
    [InlineData("/apis/discovery.k8s.io/v1", "discovery.k8s.io/v1", "endpointslices")]
    [InlineData("/apis/networking.k8s.io/v1", "networking.k8s.io/v1", "ingresses")]
    [InlineData("/apis/monitoring.coreos.com/v1", "monitoring.coreos.com/v1", "servicemonitors,podmonitors,probes")]
    [InlineData("/apis/monitoring.coreos.com/v1alpha1", "monitoring.coreos.com/v1alpha1", "scrapeconfigs")]
    [InlineData("/apis/authorization.k8s.io/v1", "authorization.k8s.io/v1", "selfsubjectaccessreviews")]
    public async Task Discovery_GroupVersion_ListsItsResources(string path, string groupVersion, string resources)
    {
        var document = await GetJsonAsync(path);

        Assert.Equal("APIResourceList", (string?)document["kind"]);
        Assert.Equal(groupVersion, (string?)document["groupVersion"]);
        Assert.Equal(resources.Split(','), document["resources"]!.AsArray().Select(r => (string?)r!["name"]));
    }

    [Fact]
    public async Task Discovery_Groups_PreferTheFirstVersion()
    {
        var groups = await GetJsonAsync("/apis");

        var monitoring = groups["groups"]!.AsArray().Single(g => (string?)g!["name"] == "monitoring.coreos.com")!;
        Assert.Equal("monitoring.coreos.com/v1", (string?)monitoring["preferredVersion"]!["groupVersion"]);
        Assert.Equal(["v1", "v1alpha1"], monitoring["versions"]!.AsArray().Select(v => (string?)v!["version"]));
        Assert.Equal("1", (string?)(await GetJsonAsync("/version"))["major"]);
    }

    private static IEnumerable<string?> Names(JsonNode list) => list["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]);

    private static string Describe(JsonNode watchEvent) =>
        $"{watchEvent["type"]} {watchEvent["object"]!["metadata"]!["name"]} {watchEvent["object"]!["metadata"]!["resourceVersion"]}";

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await _client.GetAsync(path, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private async Task<JsonNode> ReviewAsync(string verb, string group, string resource)
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = new JsonObject
            {
                ["resourceAttributes"] = new JsonObject { ["verb"] = verb, ["group"] = group, ["resource"] = resource },
            },
        };
        using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", content, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
    }

    private Task<WatchStream> OpenWatchAsync(string path) => WatchStream.OpenAsync(_client, path);

    private async Task WaitForWatchesAsync(int count)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        deadline.CancelAfter(Timeout);
        while (_server.OpenWatchCount < count)
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
