using CsCheck;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Allocation;

public class AllocatorTests
{
    private static TargetItem Item(string job, string address, ulong hash, params Label[] extra) =>
        new(job, address, [new Label("__address__", address), .. extra], hash);

    private static Dictionary<string, string?> Owners(Allocator allocator) =>
        allocator.AllTargets().ToDictionary(t => t.Item.JobName + "|" + t.Item.TargetUrl, t => t.Collector);

    [Fact]
    public void SetJobTargets_NoCollectors_KeepsTargetsUnassigned_ThenAssignsWhenCollectorsArrive()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V0_10_0));

        allocator.SetJobTargets("job", [Item("job", "a:1", 1), Item("job", "b:1", 2)]);

        Assert.Equal(2, allocator.TargetCount);
        Assert.Equal(2, allocator.UnassignedCount);
        Assert.Equal("no collectors are registered", allocator.Locate(1)!.Value.UnassignedReason);

        allocator.SetCollectors([new CollectorInfo("c-0")]);

        Assert.Equal(0, allocator.UnassignedCount);
        Assert.Equal(2, allocator.TargetsFor("job", "c-0").Count());
        Assert.Equal(2, allocator.Collectors["c-0"].NumTargets);
        Assert.Equal(2, allocator.Collectors["c-0"].TargetsOfJob("job"));
    }

    [Fact]
    public void SetCollectors_RemovedThenAddedBeforeDrain_ReportsBothAndKeepsListsApart()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors([new("a"), new("b")]);
        allocator.SetJobTargets("job", [.. Enumerable.Range(1, 10).Select(i => Item("job", $"t{i}:1", (ulong)i))]);
        allocator.DrainChanges();

        // b leaves and e arrives between two drains: b's pending change must not be lost to e, nor e's to b.
        allocator.SetCollectors([new("a")]);
        allocator.SetCollectors([new("a"), new("e")]);
        var pairs = allocator.DrainChanges().DirtyPairs;

        Assert.Contains(("job", "b"), pairs);
        Assert.Equal(allocator.TargetsFor("job", "e").Any(), pairs.Contains(("job", "e")));
        Assert.Equal(10, allocator.TargetsFor("job", "a").Count() + allocator.TargetsFor("job", "e").Count());

        // After the drain a newcomer may take a freed place; it starts with nothing of anyone else's.
        allocator.SetCollectors([new("a"), new("e"), new("f")]);
        Assert.Equal(0, allocator.Collectors["f"].NumTargets);
        Assert.Empty(allocator.TargetsFor("job", "f"));
        allocator.SetJobTargets("job", [.. Enumerable.Range(1, 13).Select(i => Item("job", $"t{i}:1", (ulong)i))]);
        Assert.Equal(allocator.Collectors["f"].NumTargets, allocator.TargetsFor("job", "f").Count());
        Assert.Equal(allocator.Collectors["f"].NumTargets, allocator.Collectors["f"].TargetsOfJob("job"));
        Assert.Equal(13, allocator.Collectors.Values.Sum(c => allocator.TargetsFor("job", c.Name).Count()));
        Assert.Equal(13, allocator.Collectors.Values.Sum(c => c.NumTargets));
    }

    [Fact]
    public void ConsistentHashing_AssignsAsTheRingSays()
    {
        var ring = new ConsistentHashRing(["collector-0", "collector-1", "collector-2"], RingVersion.V0_10_0);
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V0_10_0));
        allocator.SetCollectors([new("collector-0"), new("collector-1"), new("collector-2")]);
        var items = Enumerable.Range(1, 200).Select(i => Item("job", $"10.0.{i / 250}.{i % 250}:9100", (ulong)i)).ToList();

        allocator.SetJobTargets("job", items);

        foreach (var (item, collector) in allocator.AllTargets())
        {
            Assert.Equal(ring.Locate(item.TargetUrl), collector);
        }
    }

    [Fact]
    public void SetJobTargets_SameHashNewLabels_RefreshesLabelsWithoutMoving()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors([new("c-0"), new("c-1")]);
        allocator.SetJobTargets("job", [Item("job", "a:1", 1, new Label("__meta_x", "old"))]);
        var owner = allocator.Locate(1)!.Value.Collector;
        allocator.DrainChanges();

        var changed = allocator.SetJobTargets("job", [Item("job", "a:1", 1, new Label("__meta_x", "new"))]);

        Assert.True(changed);
        Assert.Equal(owner, allocator.Locate(1)!.Value.Collector);
        Assert.Equal("new", allocator.TargetsFor("job", owner!).Single().GetLabel("__meta_x"));
        Assert.Equal([("job", owner!)], allocator.DrainChanges().DirtyPairs);
    }

    [Fact]
    public void SetJobTargets_Unchanged_ReportsNoChange()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V0_10_0));
        allocator.SetCollectors([new("c-0")]);
        allocator.SetJobTargets("job", [Item("job", "a:1", 1)]);
        allocator.DrainChanges();

        Assert.False(allocator.SetJobTargets("job", [Item("job", "a:1", 1)]));
        Assert.True(allocator.DrainChanges().IsEmpty);
    }

    [Fact]
    public void SetJobTargets_OtherJobUntouched_OnlyChangedJobIsDirty()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V0_10_0));
        allocator.SetCollectors([new("c-0"), new("c-1")]);
        allocator.SetJobTargets("a", [Item("a", "a:1", 1)]);
        allocator.SetJobTargets("b", [Item("b", "b:1", 2)]);
        allocator.DrainChanges();

        allocator.SetJobTargets("a", [Item("a", "a:1", 1), Item("a", "a:2", 3)]);

        var changes = allocator.DrainChanges();
        Assert.Equal(["a"], changes.DirtyJobs);
        Assert.All(changes.DirtyPairs, p => Assert.Equal("a", p.Job));
    }

    [Fact]
    public void JobRemovedAndAddedBeforeADrain_ListsEachPairOnce()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V0_10_0));
        allocator.SetCollectors([new("c-0")]);
        allocator.SetJobTargets("job", [Item("job", "a:1", 1)]);
        allocator.DrainChanges();

        // The removed job's state and the new one's both mark (job, c-0) dirty.
        allocator.SetJobTargets("job", []);
        allocator.SetJobTargets("job", [Item("job", "b:1", 2)]);

        Assert.Equal([("job", "c-0")], allocator.DrainChanges().DirtyPairs);
    }

    [Fact]
    public void SetJobTargets_Empty_RemovesJob()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V0_10_0));
        allocator.SetCollectors([new("c-0")]);
        allocator.SetJobTargets("job", [Item("job", "a:1", 1)]);

        allocator.SetJobTargets("job", []);

        Assert.Empty(allocator.Jobs);
        Assert.Equal(0, allocator.Collectors["c-0"].NumTargets);
        Assert.Empty(allocator.Collectors["c-0"].TargetsPerJob);
    }

    [Fact]
    public void SetCollectors_NodeChange_IsAChange()
    {
        var allocator = new Allocator(new PerNodeStrategy(null));
        allocator.SetCollectors([new("c-0", "node-a")]);
        allocator.SetJobTargets("job", [Item("job", "a:1", 1, new Label("__meta_kubernetes_pod_node_name", "node-b"))]);
        Assert.Equal("could not find collector for node node-b", allocator.Locate(1)!.Value.UnassignedReason);

        Assert.True(allocator.SetCollectors([new("c-0", "node-b")]));

        Assert.Equal("c-0", allocator.Locate(1)!.Value.Collector);
        Assert.Equal(0, allocator.UnassignedCount);
    }

    [Fact]
    public void PerNode_WithoutNode_UsesFallback_OrExplains()
    {
        var withFallback = new Allocator(new PerNodeStrategy(new LeastWeightedStrategy()));
        withFallback.SetCollectors([new("c-0", "n")]);
        withFallback.SetJobTargets("job", [Item("job", "a:1", 1)]);
        Assert.Equal("c-0", withFallback.Locate(1)!.Value.Collector);

        var without = new Allocator(new PerNodeStrategy(null));
        without.SetCollectors([new("c-0", "n")]);
        without.SetJobTargets("job", [Item("job", "a:1", 1)]);
        Assert.Null(without.Locate(1)!.Value.Collector);
        Assert.Contains("no node label", without.Locate(1)!.Value.UnassignedReason, StringComparison.Ordinal);
        Assert.Equal(1, without.UnassignedCount);
    }

    [Fact]
    public void LeastWeighted_NewCollector_GetsNoExistingTargets_AndNewTargetsBalance()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors([new("c-0")]);
        allocator.SetJobTargets("job", [.. Enumerable.Range(1, 10).Select(i => Item("job", $"a:{i}", (ulong)i))]);

        allocator.SetCollectors([new("c-0"), new("c-1")]);

        Assert.Equal(10, allocator.Collectors["c-0"].NumTargets);
        Assert.Equal(0, allocator.Collectors["c-1"].NumTargets);

        allocator.SetJobTargets("job", [.. Enumerable.Range(1, 20).Select(i => Item("job", $"a:{i}", (ulong)i))]);
        Assert.Equal(10, allocator.Collectors["c-1"].NumTargets);
    }

    [Fact]
    public void IncrementalAllocation_AnySequence_EqualsTheRingOfTheFinalCollectorSet()
    {
        var op = Gen.OneOf(
            Gen.Int[0, 6].Array[0, 5].Select(ids => (Kind: 0, Values: ids)),
            Gen.Int[0, 60].Array[0, 40].Select(ids => (Kind: 1, Values: ids)));
        op.Array[1, 12].Sample(ops =>
        {
            var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V1_0_0));
            string[] collectors = [];
            foreach (var (kind, values) in ops)
            {
                if (kind == 0)
                {
                    collectors = [.. values.Distinct().Select(v => $"collector-{v}")];
                    allocator.SetCollectors(collectors.Select(c => new CollectorInfo(c)));
                }
                else
                {
                    allocator.SetJobTargets("job", [.. values.Distinct().Select(v => Item("job", $"10.0.0.{v}:80", (ulong)v + 1))]);
                }

                allocator.DrainChanges();
            }

            var ring = new ConsistentHashRing(collectors, RingVersion.V1_0_0);
            foreach (var (item, collector) in allocator.AllTargets())
            {
                Assert.Equal(ring.Locate(item.TargetUrl), collector);
            }

            var perCollector = allocator.AllTargets().Where(t => t.Collector is not null).GroupBy(t => t.Collector!).ToDictionary(g => g.Key, g => g.Count());
            foreach (var (name, c) in allocator.Collectors)
            {
                Assert.Equal(perCollector.GetValueOrDefault(name), c.NumTargets);
            }

            Assert.Equal(collectors.Length == 0 ? allocator.TargetCount : 0, allocator.UnassignedCount);
        }, iter: 300);
    }
}
