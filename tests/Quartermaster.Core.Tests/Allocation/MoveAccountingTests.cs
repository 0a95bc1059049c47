using Quartermaster.Core.Allocation;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Allocation;

public class MoveAccountingTests
{
    private static TargetItem Item(int i, string job = "job") =>
        new(job, $"10.0.{i / 250}.{i % 250}:80", [new Label("__address__", $"10.0.{i / 250}.{i % 250}:80")], (ulong)i + 1);

    private static Dictionary<ulong, string?> Owners(Allocator a) => a.AllTargets().ToDictionary(t => t.Item.Hash, t => t.Collector);

    private static int Changed(Dictionary<ulong, string?> before, Dictionary<ulong, string?> after) =>
        before.Count(kv => kv.Value is not null && after[kv.Key] is { } now && now != kv.Value);

    [Fact]
    public void CollectorRemoved_EveryMoveCountedAsRemoved_IncludingItsTargets()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V1_0_0));
        allocator.SetCollectors([new("c-0"), new("c-1"), new("c-2")]);
        allocator.SetJobTargets("job", [.. Enumerable.Range(0, 500).Select(i => Item(i))]);
        var before = Owners(allocator);
        allocator.DrainChanges();

        allocator.SetCollectors([new("c-0"), new("c-1")]);

        var changes = allocator.DrainChanges();
        var moved = Changed(before, Owners(allocator));
        Assert.True(moved >= before.Count(kv => kv.Value == "c-2"));
        Assert.Equal(moved, changes.MovesFor(MoveReason.CollectorRemoved));
        Assert.Equal(0, changes.MovesFor(MoveReason.CollectorAdded));
    }

    [Fact]
    public void CollectorAdded_CountsTargetsTheRingMoves()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V0_10_0));
        allocator.SetCollectors([new("c-0"), new("c-1")]);
        allocator.SetJobTargets("job", [.. Enumerable.Range(0, 500).Select(i => Item(i))]);
        var before = Owners(allocator);
        allocator.DrainChanges();

        allocator.SetCollectors([new("c-0"), new("c-1"), new("c-2")]);

        var moved = Changed(before, Owners(allocator));
        Assert.True(moved > 0);
        Assert.Equal(moved, allocator.DrainChanges().MovesFor(MoveReason.CollectorAdded));
    }

    [Fact]
    public void LeastWeighted_NewCollector_MovesNothing()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors([new("c-0"), new("c-1")]);
        allocator.SetJobTargets("job", [.. Enumerable.Range(0, 100).Select(i => Item(i))]);
        allocator.DrainChanges();

        allocator.SetCollectors([new("c-0"), new("c-1"), new("c-2")]);

        Assert.All(allocator.DrainChanges().Moves, m => Assert.Equal(0, m));
    }

    [Fact]
    public void AllCollectorsRemoved_TargetsKeptUnassigned_WithNoCollectorsReason_AndNoMovesCounted()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V1_0_0));
        allocator.SetCollectors([new("c-0")]);
        allocator.SetJobTargets("job", [.. Enumerable.Range(0, 10).Select(i => Item(i))]);
        allocator.DrainChanges();

        allocator.SetCollectors([]);

        Assert.Equal(10, allocator.TargetCount);
        Assert.Equal(10, allocator.UnassignedCount);
        Assert.All(allocator.AllTargets(), t => Assert.Equal(Allocator.NoCollectorsReason, allocator.Locate(t.Item.Hash)!.Value.UnassignedReason));
        Assert.All(allocator.DrainChanges().Moves, m => Assert.Equal(0, m));

        allocator.SetCollectors([new("c-1")]);
        Assert.Equal(0, allocator.UnassignedCount);
        Assert.Equal(0, allocator.DrainChanges().MovesFor(MoveReason.CollectorAdded));
    }

    [Fact]
    public void SetStrategy_WithCollectors_ReassignsOnce_AsAFreshAllocatorWould()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors([new("c-0"), new("c-1")]);
        allocator.SetJobTargets("job", [.. Enumerable.Range(0, 300).Select(i => Item(i))]);
        var before = Owners(allocator);
        allocator.DrainChanges();

        allocator.SetStrategy(new ConsistentHashingStrategy(RingVersion.V1_0_0), [new("c-0"), new("c-1"), new("c-2")]);

        var fresh = new Allocator(new ConsistentHashingStrategy(RingVersion.V1_0_0));
        fresh.SetCollectors([new("c-0"), new("c-1"), new("c-2")]);
        fresh.SetJobTargets("job", [.. Enumerable.Range(0, 300).Select(i => Item(i))]);
        var after = Owners(allocator);
        Assert.Equal(Owners(fresh), after);
        var changes = allocator.DrainChanges();
        Assert.Equal(Changed(before, after), changes.MovesFor(MoveReason.StrategyChanged));
        Assert.Equal(0, changes.MovesFor(MoveReason.CollectorAdded));

        // Each changed (job, collector) pair is reported once, whatever the number of targets moved through it.
        Assert.Equal(changes.DirtyPairs.Count, changes.DirtyPairs.Distinct().Count());
    }
}
