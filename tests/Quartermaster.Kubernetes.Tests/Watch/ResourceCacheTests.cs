using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Quartermaster.Kubernetes.Watch;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.Kubernetes.Tests.Watch;

public sealed class ResourceCacheTests
{
    private static readonly ResourceCacheOptions FastRetry = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200), PageSize = 2, JitterSeed = 1,
    };

    private static ResourceCache<V1Pod> StartPods(FakeApi api, string? ns = "default", string label = "") =>
        ResourceCacheFactory.Start(api.Client, KubernetesResources.Pods, new CacheKey("pods", ns, label, ""), FastRetry,
            TimeProvider.System, NullLogger.Instance);

    private static async Task WaitReadyAsync(ResourceCache<V1Pod> cache) =>
        await cache.Ready.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Start_ListThenWatch_SeesListedObjectsAndLaterChanges()
    {
        await using var api = await FakeApi.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            api.Server.Upsert(KubeObjects.Pod("default", $"p{i}", podIp: $"10.0.0.{i}"));
        }

        api.Server.Upsert(KubeObjects.Pod("other", "elsewhere"));
        await using var cache = StartPods(api);
        var log = new EventLog<V1Pod>();
        using var subscription = cache.Subscribe(log.Add);
        await WaitReadyAsync(cache);
        Assert.Equal(5, cache.Count);
        Assert.Null(cache.Get("other/elsewhere"));

        api.Server.Upsert(KubeObjects.Pod("default", "p5"));
        await log.WaitForAsync(e => e is { Type: CacheEventType.Added, Key: "default/p5" });
        api.Server.Upsert(KubeObjects.Pod("default", "p1", phase: "Failed"));
        var modified = await log.WaitForAsync(e => e is { Type: CacheEventType.Modified, Key: "default/p1" });
        Assert.Equal("Running", modified.Old!.Status.Phase);
        Assert.Equal("Failed", modified.New!.Status.Phase);
        api.Server.Delete("Pod", "default", "p2");
        await log.WaitForAsync(e => e is { Type: CacheEventType.Deleted, Key: "default/p2" });
        Assert.Equal(5, cache.Count);
        Assert.Null(cache.LastError);

        // Paged list (limit 2) and a watch with bookmarks from the list's resourceVersion.
        Assert.Contains(api.Server.Requests, r => !r.IsWatch && r.QueryValue("continue") is { Length: > 0 });
        Assert.Contains(api.Server.Requests, r => r.IsWatch && r.QueryValue("allowWatchBookmarks") == "true" && r.QueryValue("resourceVersion") is { Length: > 0 });
    }

    [Fact]
    public async Task Watch_Expired_RelistsAndKeepsUntouchedObjects()
    {
        await using var api = await FakeApi.StartAsync();
        api.Server.Upsert(KubeObjects.Pod("default", "keep"));
        api.Server.Upsert(KubeObjects.Pod("default", "gone"));
        await using var cache = StartPods(api);
        var log = new EventLog<V1Pod>();
        using var subscription = cache.Subscribe(log.Add);
        await WaitReadyAsync(cache);

        // The cache is ready after its list; its watch opens right after. Expire only once it is open.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (api.Server.OpenWatchCount == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the cache never opened a watch");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        // Changes the cache cannot resume past: the watch ends with 410 and history before now is expired.
        api.Server.ExpireWatches();
        api.Server.Delete("Pod", "default", "gone");
        api.Server.Upsert(KubeObjects.Pod("default", "new"));
        api.Server.ExpireBefore(api.Server.ResourceVersion);

        await log.WaitForAsync(e => e is { Type: CacheEventType.Deleted, Key: "default/gone" });
        await log.WaitForAsync(e => e is { Type: CacheEventType.Added, Key: "default/new" });
        Assert.NotNull(cache.Get("default/keep"));
        Assert.DoesNotContain(log.Seen, e => e is { Key: "default/keep", Type: CacheEventType.Deleted });
        Assert.True(api.Server.Requests.Count(r => !r.IsWatch) >= 2, "expected a relist");
    }

    [Fact]
    public async Task Watch_Dropped_ResumesWithoutLosingObjects()
    {
        await using var api = await FakeApi.StartAsync();
        api.Server.Upsert(KubeObjects.Pod("default", "a"));
        await using var cache = StartPods(api);
        var log = new EventLog<V1Pod>();
        using var subscription = cache.Subscribe(log.Add);
        await WaitReadyAsync(cache);

        api.Server.DropWatches();
        api.Server.Upsert(KubeObjects.Pod("default", "b"));
        await log.WaitForAsync(e => e is { Type: CacheEventType.Added, Key: "default/b" });
        Assert.NotNull(cache.Get("default/a"));
        Assert.DoesNotContain(log.Seen, e => e.Type == CacheEventType.Deleted);
    }

    [Fact]
    public async Task Failures_ServerErrors_ReportErrorKeepObjectsAndRecover()
    {
        await using var api = await FakeApi.StartAsync();
        api.Server.Upsert(KubeObjects.Pod("default", "a"));
        await using var cache = StartPods(api);
        var statuses = System.Threading.Channels.Channel.CreateUnbounded<string?>();
        cache.StatusChanged += (_, error) => statuses.Writer.TryWrite(error);
        var log = new EventLog<V1Pod>();
        using var subscription = cache.Subscribe(log.Add);
        await WaitReadyAsync(cache);

        api.Server.FailNext("/api/v1/namespaces/default/pods", 500, count: 3);
        api.Server.DropWatches();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var errors = new List<string>();
        while (await statuses.Reader.ReadAsync(cts.Token) is { } error)
        {
            errors.Add(error);
            Assert.NotNull(cache.Get("default/a"));
        }

        Assert.Contains(errors, e => e.Contains("HTTP 500", StringComparison.Ordinal));
        Assert.Null(cache.LastError);

        api.Server.Upsert(KubeObjects.Pod("default", "b"));
        await log.WaitForAsync(e => e is { Type: CacheEventType.Added, Key: "default/b" });
        Assert.DoesNotContain(log.Seen, e => e.Type == CacheEventType.Deleted);
    }

    [Fact]
    public async Task Acquire_SameKeyTwice_SharesOneCacheUntilBothReleased()
    {
        await using var api = await FakeApi.StartAsync();
        await using var registry = new KubernetesCacheRegistry(api.Client, TimeProvider.System, options: FastRetry);
        var first = registry.Acquire(KubernetesResources.Pods, "default", "app=a");
        var second = registry.Acquire(KubernetesResources.Pods, "default", "app=a");
        var other = registry.Acquire(KubernetesResources.Pods, "default", "app=b");
        Assert.Same(first.Cache, second.Cache);
        Assert.NotSame(first.Cache, other.Cache);
        Assert.Equal(2, registry.Count);
        await first.DisposeAsync();
        await first.DisposeAsync();
        Assert.Equal(2, registry.Count);
        await second.DisposeAsync();
        Assert.Equal(1, registry.Count);
        await other.DisposeAsync();
        Assert.Equal(0, registry.Count);
    }

    [Fact]
    public async Task Start_LabelSelector_ListsOnlyMatchingObjects()
    {
        await using var api = await FakeApi.StartAsync();
        api.Server.Upsert(KubeObjects.Pod("default", "a", new Dictionary<string, string> { ["app"] = "a" }));
        api.Server.Upsert(KubeObjects.Pod("default", "b", new Dictionary<string, string> { ["app"] = "b" }));
        await using var cache = StartPods(api, ns: null, label: "app=a");
        await WaitReadyAsync(cache);
        Assert.Equal(["default/a"], cache.List().Select(p => ObjectKeys.Of(p)));
    }
}
