using System.Text;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;

namespace Quartermaster.Core.Tests.Pipeline;

/// <summary>The target items a snapshot keeps for the UI: the same targets as the served bytes, and the unassigned ones.</summary>
public class SnapshotItemsTests
{
    private static readonly object Instance = new();

    private static ScrapeConfig Job(string name) => new()
    {
        JobName = name,
        ScrapeInterval = PromDuration.FromSeconds(60),
        ScrapeTimeout = PromDuration.FromSeconds(10),
        FileSdConfigs = [new FileSdConfig { Files = ["targets.json"] }],
    };

    private static PipelineConfig Config(IReadOnlyList<CollectorInfo> collectors, params ScrapeConfig[] jobs) => new()
    {
        Jobs = jobs,
        RelabelFiltering = true,
        ScrapeConfigsRedacted = "{}"u8.ToArray(),
        ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
        Version = "test",
        StaticCollectors = collectors,
    };

    private static TargetGroup Group(params string[] addresses) =>
        new("0", [.. addresses.Select(a => new[] { new Label("__address__", a) })], [new Label("env", "prod")]);

    private static TargetPipeline Pipeline() => new(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);

    [Fact]
    public void ItemsByCollector_AreTheServedTargets_InServedOrder_AndFindableByHash()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0", "node-a"), new("collector-1")], Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group([.. Enumerable.Range(1, 40).Select(i => $"10.0.0.{i}:80")])]);

        pipeline.ProcessPending();

        var snapshot = pipeline.Current;
        var view = snapshot.Jobs["a"];
        Assert.Equal(40, view.ItemsByCollector.Values.Sum(items => items.Length));
        Assert.Empty(view.Unassigned);
        foreach (var (collector, items) in view.ItemsByCollector)
        {
            var served = Encoding.UTF8.GetString(view.ByCollector[collector].ToPlainArray());
            var positions = items.Select(i => served.IndexOf("\"" + i.TargetUrl + "\"", StringComparison.Ordinal)).ToList();
            Assert.All(positions, p => Assert.True(p >= 0));
            Assert.Equal(positions.Order(), positions);
            foreach (var item in items)
            {
                Assert.True(view.TryFind(item.Hash, out var found, out var owner));
                Assert.Same(item, found);
                Assert.Equal(collector, owner);
            }
        }

        Assert.False(view.TryFind(42, out _, out _));
        Assert.Equal("node-a", snapshot.CollectorNodes["collector-0"]);
        Assert.Equal("", snapshot.CollectorNodes["collector-1"]);
    }

    [Fact]
    public void NoCollectors_KeepsTargetsAsUnassignedWithReason_UntilOneArrives()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([], Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("10.0.0.2:80", "10.0.0.1:80", "10.0.0.3:80")]);

        pipeline.ProcessPending();

        var view = pipeline.Current.Jobs["a"];
        Assert.Empty(view.ItemsByCollector);
        Assert.Equal(["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"], view.Unassigned.Select(u => u.Item.TargetUrl));
        Assert.All(view.Unassigned, u => Assert.Equal(Allocator.NoCollectorsReason, u.Reason));
        Assert.True(view.TryFind(view.Unassigned[0].Item.Hash, out _, out var collector));
        Assert.Null(collector);

        pipeline.SetCollectors([new CollectorInfo("collector-0")]);
        pipeline.ProcessPending();

        view = pipeline.Current.Jobs["a"];
        Assert.Empty(view.Unassigned);
        Assert.Equal(3, view.ItemsByCollector["collector-0"].Length);
    }

    [Fact]
    public void ChangeToOneJob_KeepsTheOtherJobsItems()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0"), new("collector-1")], Job("a"), Job("b")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80")]);
        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("10.1.0.1:80")]);
        pipeline.ProcessPending();
        var before = pipeline.Current.Jobs["a"].ItemsByCollector;

        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("10.1.0.1:80", "10.1.0.2:80")]);
        pipeline.ProcessPending();

        var after = pipeline.Current.Jobs["a"].ItemsByCollector;
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, p => Assert.Same(p.Value, after[p.Key]));
        Assert.Equal(2, pipeline.Current.Jobs["b"].ItemsByCollector.Values.Sum(i => i.Length));
    }
}
