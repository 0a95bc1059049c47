using System.Globalization;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Allocation;

/// <summary>Upstream's strategy test cases (spec upstream-ta.md §9.2), rewritten against the incremental allocator.</summary>
public class UpstreamStrategyTests
{
    public static TheoryData<string> Strategies => ["consistent-hashing", "consistent-hashing-v1", "least-weighted", "per-node"];

    private static IAllocationStrategy Create(string name) => name switch
    {
        "consistent-hashing" => new ConsistentHashingStrategy(RingVersion.V0_10_0),
        "consistent-hashing-v1" => new ConsistentHashingStrategy(RingVersion.V1_0_0),
        "least-weighted" => new LeastWeightedStrategy(),
        "per-node" => new PerNodeStrategy(null),
        "per-node-with-fallback" => new PerNodeStrategy(new ConsistentHashingStrategy(RingVersion.V1_0_0)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Collectors <c>collector-i</c> on <c>node-i</c>.</summary>
    private static CollectorInfo[] Collectors(int n, int start = 0) =>
        [.. Enumerable.Range(start, n).Select(i => new CollectorInfo($"collector-{S(i)}", $"node-{S(i)}"))];

    /// <summary>One target per job <c>test-job-i</c>, address <c>test-url-i</c>; all on <c>node-0</c> when asked.</summary>
    private static TargetItem[] Targets(int n, int start = 0, bool onNode0 = false) =>
        [.. Enumerable.Range(start, n).Select(i => Target($"test-job-{S(i)}", i, onNode0 ? [new("__meta_kubernetes_pod_node_name", "node-0")] : []))];

    private static TargetItem[] TargetsForJob(int n, string job, int start) =>
        [.. Enumerable.Range(start, n).Select(i => Target(job, i, []))];

    private static TargetItem Target(string job, int i, Label[] extra, string? url = null) =>
        new(job, url ?? $"test-url-{S(i)}", [.. extra.Append(new Label("i", S(i))).OrderBy(l => l.Name, StringComparer.Ordinal)], (ulong)i + 1);

    /// <summary>Upstream's <c>SetTargets</c>: the whole target set at once, over every job.</summary>
    private static void SetTargets(Allocator allocator, IEnumerable<TargetItem> items)
    {
        var byJob = items.GroupBy(t => t.JobName).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        foreach (var job in allocator.Jobs.ToList())
        {
            if (!byJob.ContainsKey(job))
            {
                allocator.SetJobTargets(job, []);
            }
        }

        foreach (var (job, list) in byJob)
        {
            allocator.SetJobTargets(job, list);
        }
    }

    private static Dictionary<ulong, string?> Owners(Allocator a) => a.AllTargets().ToDictionary(t => t.Item.Hash, t => t.Collector);

    [Theory]
    [MemberData(nameof(Strategies))]
    public void TargetsBeforeCollectors_AreAssignedWhenCollectorsArrive(string strategy)
    {
        var allocator = new Allocator(Create(strategy));
        SetTargets(allocator, Targets(1, 3, onNode0: true));

        allocator.SetCollectors(Collectors(3));

        Assert.All(allocator.AllTargets(), t => Assert.NotNull(t.Collector));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void AddingAndRemovingTargets_KeepsExactlyTheCurrentSet(string strategy)
    {
        var allocator = new Allocator(Create(strategy));
        allocator.SetCollectors(Collectors(3));
        SetTargets(allocator, Targets(6, onNode0: true));
        Assert.Equal(6, allocator.TargetCount);

        SetTargets(allocator, Targets(4, onNode0: true));

        Assert.Equal(Enumerable.Range(1, 4).Select(i => (ulong)i), allocator.AllTargets().Select(t => t.Item.Hash).Order());
        Assert.Equal(4, allocator.Collectors.Values.Sum(c => c.NumTargets));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void AddingAndRemovingCollectors_TargetsOnlyEverOnLiveCollectors(string strategy)
    {
        var allocator = new Allocator(Create(strategy));
        SetTargets(allocator, Targets(3, onNode0: true));

        foreach (var set in new[] { Collectors(3), Collectors(2, 1), Collectors(5), [] })
        {
            allocator.SetCollectors(set);

            Assert.Equal(set.Select(c => c.Name).Order(), allocator.Collectors.Keys.Order());
            Assert.All(allocator.AllTargets(), t => Assert.True(t.Collector is null || set.Any(c => c.Name == t.Collector)));
            Assert.Equal(3, allocator.TargetCount);
        }

        Assert.All(allocator.AllTargets(), t => Assert.Null(t.Collector));
        Assert.Equal(3, allocator.UnassignedCount);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void SetEmptyTargets_ClearsTargets_KeepsCollectors(string strategy)
    {
        var allocator = new Allocator(Create(strategy));
        allocator.SetCollectors(Collectors(3));
        SetTargets(allocator, Targets(5, onNode0: true));

        SetTargets(allocator, []);

        Assert.Equal(0, allocator.TargetCount);
        Assert.Equal(3, allocator.Collectors.Count);
        Assert.All(allocator.Collectors.Values, c => Assert.Equal(0, c.NumTargets));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void SameTargetsAgain_AndSameCollectorsAgain_ChangeNothing(string strategy)
    {
        var allocator = new Allocator(Create(strategy));
        allocator.SetCollectors(Collectors(3));
        SetTargets(allocator, Targets(9, onNode0: true));
        var first = Owners(allocator);
        allocator.DrainChanges();

        SetTargets(allocator, Targets(9, onNode0: true));
        Assert.False(allocator.SetCollectors(Collectors(3)));

        Assert.Equal(first, Owners(allocator));
        Assert.Equal(9, allocator.Collectors.Values.Sum(c => c.NumTargets));
        Assert.True(allocator.DrainChanges().IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CollisionOfUrlAndJob_WithDifferentLabels_KeepsBoth(string strategy)
    {
        var allocator = new Allocator(Create(strategy));
        allocator.SetCollectors(Collectors(3));

        SetTargets(allocator, [Target("sample-name", 1, [], "0.0.0.0:8000"), Target("sample-name", 2, [], "0.0.0.0:8000")]);

        Assert.Equal(2, allocator.TargetCount);
    }

    [Fact]
    public void LeastWeighted_NoCollectorReassignment_WhenTheSameCollectorsAreSetAgain()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors(Collectors(3));
        SetTargets(allocator, Targets(6));
        var before = Owners(allocator);

        allocator.SetCollectors(Collectors(3));

        Assert.Equal(before, Owners(allocator));
    }

    [Fact]
    public void LeastWeighted_NoAssignmentToNewCollector()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors(Collectors(1));
        SetTargets(allocator, Targets(6));
        var before = Owners(allocator);

        allocator.SetCollectors(Collectors(2));

        Assert.Equal(before, Owners(allocator));
        Assert.Equal(6, allocator.Collectors["collector-0"].NumTargets);
        Assert.Equal(0, allocator.Collectors["collector-1"].NumTargets);
    }

    [Fact]
    public void LeastWeighted_BalanceWithin15Percent_WhenAddingAndRemovingAtRandom()
    {
        var random = new Random(20260101);
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors(Collectors(3));
        var targets = Targets(27).ToList();
        SetTargets(allocator, targets);
        AssertBalanced(allocator);

        targets = [.. targets.Where(_ => random.Next(2) == 0)];
        SetTargets(allocator, targets);
        AssertBalanced(allocator);

        targets.AddRange(Targets(13, 100));
        SetTargets(allocator, targets);
        AssertBalanced(allocator);

        static void AssertBalanced(Allocator allocator)
        {
            var count = allocator.TargetCount / allocator.Collectors.Count;
            var delta = Math.Round(allocator.TargetCount / 6.7);
            Assert.All(allocator.Collectors.Values, c => Assert.InRange(c.NumTargets, count - delta, count + delta));
        }
    }

    [Fact]
    public void LeastWeighted_EachJobSpreadWithin10Percent()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        allocator.SetCollectors(Collectors(5));
        string[] jobs = ["job-a", "job-b", "job-c"];

        SetTargets(allocator, jobs.SelectMany((job, i) => TargetsForJob(100, job, i * 100)));

        foreach (var job in jobs)
        {
            Assert.All(allocator.Collectors.Keys, c => Assert.InRange(allocator.TargetsFor(job, c).Count(), 18, 22));
        }
    }

    [Fact]
    public void LeastWeighted_TargetsWithNoCollectors_AreKept_ThenSpreadWithin15Percent()
    {
        var allocator = new Allocator(new LeastWeightedStrategy());
        SetTargets(allocator, Targets(10, 0, onNode0: true));
        Assert.Equal(10, allocator.TargetCount);
        SetTargets(allocator, Targets(5, 10, onNode0: true));
        Assert.Equal(5, allocator.TargetCount);
        SetTargets(allocator, Targets(6, 14, onNode0: true));
        Assert.Equal(6, allocator.TargetCount);

        allocator.SetCollectors(Collectors(2));

        Assert.Equal(6, allocator.TargetCount);
        Assert.All(allocator.Collectors.Values, c => Assert.InRange(c.NumTargets, 2, 4));
    }

    [Theory]
    [InlineData(RingVersion.V0_10_0)]
    [InlineData(RingVersion.V1_0_0)]
    public void ConsistentHashing_RelativelyEvenDistribution_Within50Percent(RingVersion version)
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(version));
        allocator.SetCollectors(Collectors(15));

        SetTargets(allocator, Targets(10_000));

        Assert.Equal(10_000, allocator.TargetCount);
        var expected = 10_000 / 15;
        Assert.All(allocator.Collectors.Values, c => Assert.InRange(c.NumTargets, expected * 0.5, expected * 1.5));
    }

    [Fact]
    public void ConsistentHashing_FullReallocation_WhenEveryCollectorIsReplaced()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V1_0_0));
        allocator.SetCollectors(Collectors(10));
        SetTargets(allocator, Targets(10_000));

        allocator.SetCollectors(Collectors(10, 10));

        var live = allocator.Collectors.Keys.ToHashSet();
        Assert.All(allocator.AllTargets(), t => Assert.Contains(t.Collector!, live));
        Assert.Equal(10_000, allocator.Collectors.Values.Sum(c => c.NumTargets));
    }

    [Theory]
    [InlineData(RingVersion.V0_10_0)]
    [InlineData(RingVersion.V1_0_0)]
    public void ConsistentHashing_OneMoreCollector_RemapsAboutOneSixteenth(RingVersion version)
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(version));
        allocator.SetCollectors(Collectors(15));
        SetTargets(allocator, Targets(10_000));
        var before = Owners(allocator);

        allocator.SetCollectors(Collectors(16));

        var remapped = Owners(allocator).Count(kv => before[kv.Key] != kv.Value);
        Assert.InRange(remapped, 0, 2 * (10_000 / 16));
        Assert.Equal(remapped, (int)allocator.MovedTotal(MoveReason.CollectorAdded));
    }

    [Fact]
    public void ConsistentHashing_SameJobSpreadOverSeveralCollectors()
    {
        var allocator = new Allocator(new ConsistentHashingStrategy(RingVersion.V1_0_0));
        allocator.SetCollectors(Collectors(5));
        var targets = Enumerable.Range(0, 3).SelectMany(j => Enumerable.Range(0, 100).Select(i =>
            Target($"shared-job-{S(j)}", (j * 100) + i, [new("job_index", S(j))], $"test-url-{S(j)}-{S(i)}")));

        SetTargets(allocator, targets);

        for (var j = 0; j < 3; j++)
        {
            Assert.True(allocator.Collectors.Keys.Count(c => allocator.TargetsFor($"shared-job-{S(j)}", c).Any()) > 1);
        }
    }

    [Fact]
    public void PerNode_TargetsOnNodes_GoToTheirNodesCollector_TargetWithoutNode_Unassigned()
    {
        var allocator = new Allocator(new PerNodeStrategy(null));
        allocator.SetCollectors(Collectors(4));

        SetTargets(allocator, PerNodeTargets());

        Assert.Equal(4, allocator.TargetCount);
        Assert.Equal("collector-0", allocator.Locate(1)!.Value.Collector);
        Assert.Equal("collector-1", allocator.Locate(2)!.Value.Collector);
        Assert.Null(allocator.Locate(3)!.Value.Collector);
        Assert.Equal("collector-3", allocator.Locate(4)!.Value.Collector);
        Assert.Equal(1, allocator.UnassignedCount);
        Assert.Equal(0, allocator.Collectors["collector-2"].NumTargets);
    }

    [Fact]
    public void PerNode_WithFallback_TargetWithoutNode_GoesWhereTheFallbackSays()
    {
        var allocator = new Allocator(Create("per-node-with-fallback"));
        allocator.SetCollectors(Collectors(4));

        SetTargets(allocator, PerNodeTargets());

        Assert.Equal(0, allocator.UnassignedCount);
        Assert.Equal("collector-0", allocator.Locate(1)!.Value.Collector);
        Assert.Equal("collector-1", allocator.Locate(2)!.Value.Collector);
        Assert.Equal("collector-3", allocator.Locate(4)!.Value.Collector);
        var ring = new ConsistentHashRing(allocator.Collectors.Keys, RingVersion.V1_0_0);
        Assert.Equal(ring.Locate("0.0.0.0:8000"), allocator.Locate(3)!.Value.Collector);
    }

    [Fact]
    public void PerNode_TargetsWithNoCollectors_AllGoToTheCollectorOnTheirNode()
    {
        var allocator = new Allocator(new PerNodeStrategy(null));
        SetTargets(allocator, Targets(10, 0, onNode0: true));
        SetTargets(allocator, Targets(5, 10, onNode0: true));
        SetTargets(allocator, Targets(6, 14, onNode0: true));

        allocator.SetCollectors(Collectors(2));

        Assert.Equal(6, allocator.Collectors["collector-0"].NumTargets);
        Assert.Equal(0, allocator.Collectors["collector-1"].NumTargets);
    }

    private static TargetItem[] PerNodeTargets() =>
    [
        Target("sample-name", 0, [new("__meta_kubernetes_pod_node_name", "node-0")], "0.0.0.0:8000"),
        Target("sample-name", 1, [new("__meta_kubernetes_node_name", "node-1")], "0.0.0.0:8000"),
        Target("sample-name", 2, [], "0.0.0.0:8000"),
        Target("sample-name", 3,
            [new("__meta_kubernetes_endpointslice_address_target_kind", "Node"), new("__meta_kubernetes_endpointslice_address_target_name", "node-3")],
            "0.0.0.0:8000"),
    ];
}
