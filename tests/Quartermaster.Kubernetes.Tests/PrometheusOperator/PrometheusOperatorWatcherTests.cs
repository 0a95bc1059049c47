using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.PrometheusOperator;
using Quartermaster.Kubernetes.Tests.Watch;
using Quartermaster.Kubernetes.Watch;
using Quartermaster.TestCommon.Kubernetes;
using LabelSelector = Quartermaster.Core.Config.LabelSelector;

namespace Quartermaster.Kubernetes.Tests.PrometheusOperator;

public class PrometheusOperatorWatcherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A stand-in generator: one job per resource, named as the operator names them, whose basic auth password is read
    /// from <c>spec.passwordSecret</c> (<c>name/key</c>) and whose metrics path is <c>spec.path</c>; <c>spec.invalid</c> rejects.
    /// </summary>
    private sealed class CountingGenerator
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public ResourceOutput Generate(MonitoringResource resource, IAssetStore assets)
        {
            Calls.AddOrUpdate(resource.Key, 1, (_, n) => n + 1);
            if (resource.Spec.TryGetProperty("invalid", out var invalid))
            {
                return ResourceOutput.Rejected(resource, invalid.GetString()!);
            }

            var job = new ScrapeConfig { JobName = $"serviceMonitor/{resource.Namespace}/{resource.Name}/0" };
            if (resource.Spec.TryGetProperty("path", out var path))
            {
                job.MetricsPath = path.GetString()!;
            }

            var used = new List<AssetReference>();
            if (resource.Spec.TryGetProperty("passwordSecret", out var secret))
            {
                var parts = secret.GetString()!.Split('/');
                var reference = new AssetReference(AssetKind.Secret, resource.Namespace, parts[0], parts[1]);
                used.Add(reference);
                if (!assets.TryGet(reference, out var password, out var error))
                {
                    return ResourceOutput.Rejected(resource, error);
                }

                job.HttpClient = new HttpClientConfig { BasicAuth = new BasicAuth { Username = "u", Password = password } };
            }

            return new ResourceOutput([job], null, used);
        }
    }

    private static JsonObject Monitor(string ns, string name, IReadOnlyDictionary<string, string>? labels = null, string? secret = null, string? path = null, string? invalid = null)
    {
        var spec = new JsonObject();
        if (secret is not null)
        {
            spec["passwordSecret"] = secret;
        }

        if (path is not null)
        {
            spec["path"] = path;
        }

        if (invalid is not null)
        {
            spec["invalid"] = invalid;
        }

        return new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1",
            ["kind"] = "ServiceMonitor",
            ["metadata"] = KubeObjects.Metadata(ns, name, labels),
            ["spec"] = spec,
        };
    }

    private sealed class Harness : IAsyncDisposable
    {
        private readonly ConcurrentQueue<PrometheusOperatorOutput> _outputs = new();
        private readonly SemaphoreSlim _published = new(0);

        private Harness(FakeApi api, KubernetesCacheRegistry registry)
        {
            Api = api;
            Registry = registry;
        }

        public FakeApi Api { get; }

        public KubernetesCacheRegistry Registry { get; }

        public CountingGenerator Generator { get; } = new();

        public PrometheusOperatorWatcher Watcher { get; private set; } = null!;

        public int Published => _outputs.Count;

        public static async Task<Harness> StartAsync(
            Action<PrometheusCrConfig> configure, Action<FakeKubeApiServer> seed, IReadOnlyList<string>? unserved = null, TimeProvider? time = null, TimeSpan? minInterval = null)
        {
            var api = await FakeApi.StartAsync(unserved);
            seed(api.Server);
            var registry = new KubernetesCacheRegistry(api.Client, TimeProvider.System);
            var harness = new Harness(api, registry);
            var config = new PrometheusCrConfig { Enabled = true, ServiceMonitorSelector = new LabelSelector() };
            configure(config);
            harness.Watcher = new PrometheusOperatorWatcher(
                api.Client,
                registry,
                new PrometheusOperatorWatcherOptions { Config = config, CollectorNamespace = "otel", MinInterval = minInterval ?? TimeSpan.FromMilliseconds(50) },
                harness.Generator.Generate,
                o =>
                {
                    harness._outputs.Enqueue(o);
                    harness._published.Release();
                },
                time ?? TimeProvider.System,
                NullLogger.Instance);
            await harness.Watcher.StartAsync(TestContext.Current.CancellationToken);
            return harness;
        }

        /// <summary>Waits (bounded) for a published generation that satisfies <paramref name="condition"/>.</summary>
        public async Task<PrometheusOperatorOutput> WaitForAsync(Func<PrometheusOperatorOutput, bool> condition)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(Timeout);
            while (true)
            {
                // The published outputs, not Watcher.Current: it is set just before the callback runs.
                if (_outputs.LastOrDefault() is { } current && condition(current))
                {
                    return current;
                }

                try
                {
                    await _published.WaitAsync(cts.Token);
                }
                catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
                {
                    var c = Watcher.Current;
                    Assert.Fail(c is null ? "nothing generated" : $"last generation: jobs [{string.Join(", ", c.Jobs.Select(j => j.JobName + " " + Password(j)))}], "
                        + $"rejected [{string.Join("; ", c.Rejected)}], kept [{string.Join("; ", c.KeptLastGood)}]");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Watcher.DisposeAsync();
            await Registry.DisposeAsync();
            await Api.DisposeAsync();
        }
    }

    private static string Password(ScrapeConfig job) => job.HttpClient.BasicAuth?.Password ?? "";

    [Fact]
    public async Task Watcher_SelectedMonitorWithSecret_GeneratesAndFollowsSecretUpdates()
    {
        await using var h = await Harness.StartAsync(_ => { }, s =>
        {
            s.Upsert(KubeObjects.Namespace("otel"));
            s.Upsert(KubeObjects.Namespace("apps"));
            s.Upsert(KubeObjects.Secret("apps", "auth", new Dictionary<string, string> { ["password"] = "first" }));
            s.Upsert(Monitor("apps", "web", secret: "auth/password"));
        });

        var first = await h.WaitForAsync(o => o.Jobs.Count == 1);
        Assert.Equal("serviceMonitor/apps/web/0", first.Jobs[0].JobName);
        Assert.Equal("first", Password(first.Jobs[0]));

        h.Api.Server.Upsert(KubeObjects.Secret("apps", "auth", new Dictionary<string, string> { ["password"] = "second" }));

        var updated = await h.WaitForAsync(o => o.Jobs.Count == 1 && Password(o.Jobs[0]) == "second");
        Assert.Empty(updated.Rejected);
    }

    [Fact]
    public async Task Watcher_ChangeOfOneResource_RegeneratesOnlyThatResource()
    {
        await using var h = await Harness.StartAsync(_ => { }, s =>
        {
            s.Upsert(KubeObjects.Namespace("apps"));
            s.Upsert(Monitor("apps", "a"));
            s.Upsert(Monitor("apps", "b"));
        });
        await h.WaitForAsync(o => o.Jobs.Count == 2);

        h.Api.Server.Upsert(Monitor("apps", "b", path: "/other"));

        var output = await h.WaitForAsync(o => o.Jobs.Any(j => j.MetricsPath == "/other"));
        Assert.Equal(1, output.Regenerated);
        Assert.Equal(1, h.Generator.Calls["apps/a"]);
        Assert.Equal(2, h.Generator.Calls["apps/b"]);
    }

    [Fact]
    public async Task Watcher_InvalidResource_IsRejectedAloneAndTheOthersKept()
    {
        await using var h = await Harness.StartAsync(_ => { }, s =>
        {
            s.Upsert(KubeObjects.Namespace("apps"));
            s.Upsert(Monitor("apps", "good"));
            s.Upsert(Monitor("apps", "bad", invalid: "invalid regex"));
        });

        var output = await h.WaitForAsync(o => o.Jobs.Count == 1 && o.Rejected.Count == 1);

        Assert.Equal("serviceMonitor/apps/good/0", output.Jobs[0].JobName);
        Assert.Equal(new ResourceRejection(MonitoringKind.ServiceMonitor, "apps", "bad", "invalid regex"), output.Rejected[0]);
    }

    [Fact]
    public async Task Watcher_MissingSecretKey_KeepsLastGoodAndFlagsIt_ThenRecovers()
    {
        await using var h = await Harness.StartAsync(_ => { }, s =>
        {
            s.Upsert(KubeObjects.Namespace("apps"));
            s.Upsert(KubeObjects.Secret("apps", "auth", new Dictionary<string, string> { ["password"] = "good" }));
            s.Upsert(Monitor("apps", "web", secret: "auth/password"));
        });
        await h.WaitForAsync(o => o.Jobs.Count == 1);

        h.Api.Server.Upsert(KubeObjects.Secret("apps", "auth", new Dictionary<string, string> { ["other"] = "x" }));

        var flagged = await h.WaitForAsync(o => o.KeptLastGood.Count == 1);
        Assert.Equal("good", Password(Assert.Single(flagged.Jobs)));
        Assert.Contains("key password not found in secret apps/auth", flagged.KeptLastGood[0].Reason, StringComparison.Ordinal);
        Assert.Empty(flagged.Rejected);

        h.Api.Server.Upsert(KubeObjects.Secret("apps", "auth", new Dictionary<string, string> { ["password"] = "fixed" }));

        var recovered = await h.WaitForAsync(o => o.KeptLastGood.Count == 0 && o.Jobs.Count == 1 && Password(o.Jobs[0]) == "fixed");
        Assert.Empty(recovered.Rejected);
    }

    [Fact]
    public async Task Watcher_MissingSecretFromTheStart_RejectsUntilItIsCreated()
    {
        await using var h = await Harness.StartAsync(_ => { }, s =>
        {
            s.Upsert(KubeObjects.Namespace("apps"));
            s.Upsert(Monitor("apps", "web", secret: "auth/password"));
        });

        // The first generation may still find the namespace's Secrets loading; the verdict once they are loaded is "not found".
        var rejected = await h.WaitForAsync(o => o.Rejected.Count == 1 && !o.Rejected[0].Reason.Contains("not loaded yet", StringComparison.Ordinal));
        Assert.Contains("secret apps/auth not found", rejected.Rejected[0].Reason, StringComparison.Ordinal);
        Assert.Empty(rejected.Jobs);

        h.Api.Server.Upsert(KubeObjects.Secret("apps", "auth", new Dictionary<string, string> { ["password"] = "late" }));

        await h.WaitForAsync(o => o.Jobs.Count == 1 && Password(o.Jobs[0]) == "late");
    }

    [Fact]
    public async Task Watcher_NamespaceSelector_FollowsNamespaceLabelChanges()
    {
        await using var h = await Harness.StartAsync(
            c => c.ServiceMonitorNamespaceSelector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["monitor"] = "yes" } },
            s =>
            {
                s.Upsert(KubeObjects.Namespace("apps", new Dictionary<string, string> { ["monitor"] = "yes" }));
                s.Upsert(KubeObjects.Namespace("other"));
                s.Upsert(Monitor("apps", "a"));
                s.Upsert(Monitor("other", "b"));
            });
        var first = await h.WaitForAsync(o => o.Jobs.Count == 1);
        Assert.Equal("serviceMonitor/apps/a/0", first.Jobs[0].JobName);

        h.Api.Server.Upsert(KubeObjects.Namespace("other", new Dictionary<string, string> { ["monitor"] = "yes" }));

        await h.WaitForAsync(o => o.Jobs.Count == 2);
    }

    [Fact]
    public async Task Watcher_MonitorSelector_SelectsByLabels()
    {
        await using var h = await Harness.StartAsync(
            c => c.ServiceMonitorSelector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } },
            s =>
            {
                s.Upsert(KubeObjects.Namespace("apps"));
                s.Upsert(Monitor("apps", "mine", new Dictionary<string, string> { ["team"] = "a" }));
                s.Upsert(Monitor("apps", "theirs", new Dictionary<string, string> { ["team"] = "b" }));
            });

        var output = await h.WaitForAsync(o => o.Jobs.Count >= 1);

        Assert.Equal("serviceMonitor/apps/mine/0", Assert.Single(output.Jobs).JobName);
    }

    [Fact]
    public async Task Watcher_CrdNotServed_IsReportedAndTheOtherKindsWork()
    {
        await using var h = await Harness.StartAsync(_ => { }, s =>
        {
            s.Upsert(KubeObjects.Namespace("apps"));
            s.Upsert(Monitor("apps", "web"));
        }, unserved: ["scrapeconfigs", "probes"]);

        var output = await h.WaitForAsync(o => o.Jobs.Count == 1);

        Assert.Equal([MonitoringKind.Probe, MonitoringKind.ScrapeConfig], output.UnavailableKinds);
    }

    [Fact]
    public async Task Watcher_ChangesWithinTheInterval_AreCoalescedIntoOneGeneration()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var h = await Harness.StartAsync(_ => { }, s =>
        {
            s.Upsert(KubeObjects.Namespace("apps"));
            s.Upsert(Monitor("apps", "a"));
        }, time: time, minInterval: TimeSpan.FromHours(1));
        await h.WaitForAsync(o => o.Jobs.Count == 1);
        Assert.Equal(1, h.Published);

        h.Api.Server.Upsert(Monitor("apps", "b"));
        h.Api.Server.Upsert(Monitor("apps", "c"));
        // Wait (bounded) until the shared cache holds both: the watcher has been told of both changes.
        await using (var lease = h.Registry.Acquire(MonitoringResources.ResourceOf(MonitoringKind.ServiceMonitor), null))
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(Timeout);
            while (lease.Cache.Count < 3)
            {
                await Task.Delay(20, cts.Token);
            }
        }

        time.Advance(TimeSpan.FromHours(1));

        var output = await h.WaitForAsync(o => o.Jobs.Count == 3);
        Assert.Equal(2, h.Published);
        Assert.Equal(2, output.Regenerated);
    }
}
