using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Serving;

namespace Quartermaster.Core.Tests.Pipeline;

public class PipelineAllocationTests
{
    private static readonly object Instance = new();
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static ScrapeConfig Job(string name) => new()
    {
        JobName = name,
        ScrapeInterval = PromDuration.FromSeconds(60),
        ScrapeTimeout = PromDuration.FromSeconds(10),
        FileSdConfigs = [new FileSdConfig { Files = ["targets.json"] }],
    };

    internal static PipelineConfig Config(
        IReadOnlyList<CollectorInfo>? collectors, IAllocationStrategy? strategy = null, TimeSpan? grace = null, params string[] jobs) => new()
    {
        Jobs = [.. jobs.Select(Job)],
        RelabelFiltering = true,
        ScrapeConfigsRedacted = "{}"u8.ToArray(),
        ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
        Version = "test",
        Strategy = strategy,
        StaticCollectors = collectors,
        CollectorNotReadyGracePeriod = grace,
    };

    internal static TargetGroup Group(string source, IEnumerable<string> addresses, string node = "") =>
        new(source, [.. addresses.Select(a => node.Length == 0
            ? new[] { new Label("__address__", a) }
            : [new Label("__address__", a), new Label("__meta_kubernetes_pod_node_name", node)])], []);

    /// <summary>Every served address per collector of one job, read back from the served bytes.</summary>
    internal static Dictionary<string, List<string>> Served(ServingSnapshot snapshot, string job)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var c in snapshot.Collectors)
        {
            using var doc = JsonDocument.Parse(snapshot.TargetsFor(job, c));
            result[c] = [.. doc.RootElement.EnumerateArray().SelectMany(e => e.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!))];
        }

        return result;
    }

    private static IEnumerable<string> Addresses(int n) => Enumerable.Range(1, n).Select(i => $"10.0.{i / 250}.{i % 250}:80");

    [Fact]
    public void NoCollectors_ServesEmpty_KeepsTargets_StaysReady()
    {
        var pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
        pipeline.ApplyConfig(Config([], null, null, "a"));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", Addresses(5))]);
        pipeline.ProcessPending();

        var snapshot = pipeline.Current;
        Assert.True(snapshot.IsReady);
        Assert.True(snapshot.NoCollectors);
        Assert.Equal(5, snapshot.TargetCount);
        Assert.Equal(5, snapshot.UnassignedCount);
        Assert.Equal(ServingSnapshot.EmptyTargets, snapshot.TargetsFor("a", "anyone"));
        Assert.Equal("{}\n", System.Text.Encoding.UTF8.GetString(snapshot.Jobs["a"].CollectorMap));

        pipeline.ApplyConfig(Config([new("c-0")], null, null, "a"));
        pipeline.ProcessPending();
        Assert.False(pipeline.Current.NoCollectors);
        Assert.Equal(5, Served(pipeline.Current, "a")["c-0"].Count);
    }

    [Fact]
    public void NotReadyCollector_KeepsTargetsWithinGrace_TimerMovesThemAfter()
    {
        var time = new FakeTimeProvider(Start);
        var pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V1_0_0), time);
        pipeline.ApplyConfig(Config(null, null, TimeSpan.FromSeconds(30), "a"));
        pipeline.SetCollectors([new("c-0"), new("c-1")]);
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", Addresses(40))]);
        pipeline.ProcessPending();
        var onC1 = Served(pipeline.Current, "a")["c-1"];
        Assert.NotEmpty(onC1);

        pipeline.SetCollectors([new("c-0"), new("c-1") { Ready = false, NotReadySince = Start }]);
        pipeline.ProcessPending();
        Assert.Equal(onC1, Served(pipeline.Current, "a")["c-1"]);

        time.Advance(TimeSpan.FromSeconds(29));
        pipeline.ProcessPending();
        Assert.Equal(onC1, Served(pipeline.Current, "a")["c-1"]);

        var generation = pipeline.Current.Generation;
        time.Advance(TimeSpan.FromSeconds(1));
        pipeline.ProcessPending();

        Assert.Equal(generation + 1, pipeline.Current.Generation);
        Assert.Equal(["c-0"], pipeline.Current.Collectors);
        Assert.Equal(40, Served(pipeline.Current, "a")["c-0"].Count);
        Assert.Equal(ServingSnapshot.EmptyTargets, pipeline.Current.TargetsFor("a", "c-1"));
    }

    [Fact]
    public void StrategyAndCollectorChangeOnReload_OneSnapshot_EveryTargetOnExactlyOneCollector()
    {
        var pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
        pipeline.ApplyConfig(Config([new("c-0"), new("c-1"), new("c-2")], null, null, "a", "b"));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", Addresses(50))]);
        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("0", Addresses(30))]);
        pipeline.ProcessPending();
        var generation = pipeline.Current.Generation;

        pipeline.ApplyConfig(Config([new("c-0"), new("c-2"), new("c-3")], new LeastWeightedStrategy(), null, "a", "b"));
        pipeline.ProcessPending();

        Assert.Equal(generation + 1, pipeline.Current.Generation);
        Assert.Equal(LeastWeightedStrategy.StrategyName, pipeline.StrategyName);
        foreach (var (job, count) in new[] { ("a", 50), ("b", 30) })
        {
            var all = Served(pipeline.Current, job).Values.SelectMany(x => x).ToList();
            Assert.Equal(count, all.Count);
            Assert.Equal(count, all.Distinct().Count());
        }

        Assert.Equal(0, pipeline.Current.UnassignedCount);
    }

    [Fact]
    public void CollectorRemoved_CountsMovesInTheMetric()
    {
        using var factory = new TestMeterFactory();
        var pipeline = default(TargetPipeline);
        var metrics = new PipelineMetrics(factory, () => pipeline!.Current, () => pipeline!.StrategyName);
        pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System, metrics);
        var moved = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == PipelineMetrics.MeterName && i.Name == "quartermaster_targets_moved")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var reason = (string)tags.ToArray().Single(t => t.Key == "reason").Value!;
            moved[reason] = moved.GetValueOrDefault(reason) + value;
        });
        listener.Start();

        pipeline.ApplyConfig(Config([new("c-0"), new("c-1")], null, null, "a"));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", Addresses(30))]);
        pipeline.ProcessPending();
        var onC1 = Served(pipeline.Current, "a")["c-1"].Count;
        Assert.Empty(moved);

        pipeline.ApplyConfig(Config([new("c-0")], null, null, "a"));
        pipeline.ProcessPending();

        Assert.Equal(onC1, moved["collector_removed"]);
        Assert.Single(moved);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
