using Microsoft.Extensions.Time.Testing;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Allocation;

public class CollectorReadinessTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TargetItem Item(int i) =>
        new("job", $"10.0.0.{i}:80", [new Label("__address__", $"10.0.0.{i}:80")], (ulong)i);

    private static Allocator WithTargets(FakeTimeProvider time, int count, params CollectorInfo[] collectors)
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V1_0_0), time);
        allocator.SetCollectors(collectors);
        allocator.SetJobTargets("job", [.. Enumerable.Range(1, count).Select(Item)]);
        return allocator;
    }

    [Fact]
    public void Select_ReadyOrWithinGrace_Allocatable_PastGrace_Excluded()
    {
        var time = new FakeTimeProvider(Start);
        var set = new CollectorSet(time, TimeSpan.FromSeconds(30));

        var selection = set.Select(
        [
            new CollectorInfo("ready"),
            new CollectorInfo("fresh") { Ready = false, NotReadySince = Start.AddSeconds(-10) },
            new CollectorInfo("stale") { Ready = false, NotReadySince = Start.AddSeconds(-30) },
        ]);

        Assert.Equal(["ready", "fresh"], selection.Allocatable.Select(c => c.Name));
        Assert.Equal(["stale"], selection.NotReady);
        Assert.Equal(Start.AddSeconds(20), selection.NextCheck);
    }

    [Fact]
    public void Select_ZeroGrace_DisablesTheCheck()
    {
        var set = new CollectorSet(new FakeTimeProvider(Start), TimeSpan.Zero);

        var selection = set.Select([new CollectorInfo("c") { Ready = false, NotReadySince = Start.AddHours(-1) }]);

        Assert.Equal(["c"], selection.Allocatable.Select(c => c.Name));
        Assert.Empty(selection.NotReady);
        Assert.Null(selection.NextCheck);
    }

    [Fact]
    public void Select_NoSinceTime_CountsFromFirstSighting_AndForgetsItWhenReadyAgain()
    {
        var time = new FakeTimeProvider(Start);
        var set = new CollectorSet(time, TimeSpan.FromSeconds(30));
        CollectorInfo notReady = new("c") { Ready = false };

        Assert.Equal(Start.AddSeconds(30), set.Select([notReady]).NextCheck);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(set.Select([notReady]).NotReady);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["c"], set.Select([notReady]).NotReady);

        set.Select([new CollectorInfo("c")]);
        Assert.Empty(set.Select([notReady]).NotReady);
    }

    [Fact]
    public void NotReadyCollector_KeepsTargetsWithinGrace_LosesThemAfter()
    {
        var time = new FakeTimeProvider(Start);
        var allocator = WithTargets(time, 60, new("a"), new("b"));
        var ofB = allocator.Collectors["b"].NumTargets;
        Assert.InRange(ofB, 1, 59);
        allocator.DrainChanges();

        Assert.False(allocator.SetCollectors([new("a"), new("b") { Ready = false, NotReadySince = Start }]));
        Assert.Equal(ofB, allocator.Collectors["b"].NumTargets);
        Assert.Equal(Start.AddSeconds(30), allocator.NextReadinessCheck);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(allocator.RefreshReadiness());
        Assert.Equal(ofB, allocator.Collectors["b"].NumTargets);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(allocator.RefreshReadiness());

        Assert.Equal(["a"], allocator.Collectors.Keys);
        Assert.Equal(["b"], allocator.NotReadyCollectors);
        Assert.Equal(60, allocator.Collectors["a"].NumTargets);
        Assert.Equal(ofB, allocator.DrainChanges().MovesFor(MoveReason.CollectorNotReady));
        Assert.Equal(ofB, allocator.MovedTotal(MoveReason.CollectorNotReady));
        Assert.Null(allocator.NextReadinessCheck);
    }

    [Fact]
    public void NotReadyCollector_ReadyAgain_TakesTargetsBackAsTheRingSays()
    {
        var time = new FakeTimeProvider(Start);
        var allocator = WithTargets(time, 60, new("a"), new("b") { Ready = false, NotReadySince = Start.AddMinutes(-5) });
        Assert.Equal(60, allocator.Collectors["a"].NumTargets);

        allocator.SetCollectors([new("a"), new("b")]);

        var ring = new ConsistentHashRing(["a", "b"], RingVersion.V1_0_0);
        Assert.All(allocator.AllTargets(), t => Assert.Equal(ring.Locate(t.Item.TargetUrl), t.Collector));
        Assert.Equal(allocator.Collectors["b"].NumTargets, allocator.DrainChanges().MovesFor(MoveReason.CollectorAdded));
    }

    [Fact]
    public void SetNotReadyGracePeriod_Shorter_ExcludesAtOnce()
    {
        var time = new FakeTimeProvider(Start);
        var allocator = WithTargets(time, 10, new("a"), new("b") { Ready = false, NotReadySince = Start.AddSeconds(-10) });
        Assert.Equal(2, allocator.Collectors.Count);

        Assert.True(allocator.SetNotReadyGracePeriod(TimeSpan.FromSeconds(5)));

        Assert.Equal(["a"], allocator.Collectors.Keys);
        Assert.Equal(10, allocator.Collectors["a"].NumTargets);
    }
}
