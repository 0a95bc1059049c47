using Quartermaster.Core.Allocation;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Benchmarks;

/// <summary>
/// <see cref="Workload"/>'s targets as the allocator receives them (merged, filtered, hashed), 100 collectors, and a
/// 1 % churn: 10 targets replaced in every tenth job.
/// </summary>
public sealed class AllocationWorkload
{
    public const int Collectors = 100;

    public AllocationWorkload(int targets)
    {
        var groups = Workload.Groups(targets);
        var jobs = Workload.Jobs(groups, keepDropRules: false);
        var builder = new LabelsBuilder();
        JobNames = new string[groups.Length];
        Items = new TargetItem[groups.Length][];
        Churned = new TargetItem[groups.Length][];
        for (var j = 0; j < groups.Length; j++)
        {
            JobNames[j] = Workload.JobName(j);
            var filter = new TargetFilter(jobs[j], relabelFiltering: true);
            var items = new List<TargetItem>(Workload.TargetsPerGroup * Workload.GroupsPerJob);
            foreach (var group in groups[j])
            {
                foreach (var target in group.Targets)
                {
                    var merged = LabelSets.Merge(group.Labels, target);
                    if (filter.TryProcess(merged, builder, out var hash))
                    {
                        items.Add(new TargetItem(JobNames[j], target[LabelSets.IndexOf(target, "__address__")].Value, merged, hash));
                    }
                }
            }

            Items[j] = [.. items];
            Churned[j] = j % 10 == 0 ? [.. items.Select((t, i) => i < 10 ? Replacement(t) : t)] : Items[j];
        }

        CollectorSet = [.. Enumerable.Range(0, Collectors).Select(Collector)];
        CollectorSetPlusOne = [.. Enumerable.Range(0, Collectors + 1).Select(Collector)];
        ChurnedTargets = Churned.Where((c, j) => !ReferenceEquals(c, Items[j])).Sum(c => 10);
    }

    /// <summary>100k and 800k targets; <c>QM_BENCH_TARGETS=100000</c> narrows a run (800k takes minutes per case).</summary>
    public static IEnumerable<int> Sizes =>
        Environment.GetEnvironmentVariable("QM_BENCH_TARGETS") is { Length: > 0 } sizes
            ? sizes.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            : [100_000, 800_000];

    public string[] JobNames { get; }

    public TargetItem[][] Items { get; }

    /// <summary>Items with 10 targets of every tenth job replaced by new ones: 1 % of all targets.</summary>
    public TargetItem[][] Churned { get; }

    public int ChurnedTargets { get; }

    public CollectorInfo[] CollectorSet { get; }

    public CollectorInfo[] CollectorSetPlusOne { get; }

    /// <summary>
    /// per-node runs with one collector per node (a DaemonSet); the workload's targets sit on 50 nodes, and targets
    /// without a node would go to the consistent-hashing fallback.
    /// </summary>
    public static IAllocationStrategy Strategy(string name) => name switch
    {
        ConsistentHashingStrategy.StrategyName => new ConsistentHashingStrategy(RingVersion.V0_10_0),
        LeastWeightedStrategy.StrategyName => new LeastWeightedStrategy(),
        PerNodeStrategy.StrategyName => new PerNodeStrategy(new ConsistentHashingStrategy(RingVersion.V0_10_0)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public Allocator Allocate(string strategy, TargetItem[][]? items = null)
    {
        var allocator = new Allocator(Strategy(strategy));
        allocator.SetCollectors(CollectorSet);
        SetAll(allocator, items ?? Items);
        return allocator;
    }

    public void SetAll(Allocator allocator, TargetItem[][] items)
    {
        for (var j = 0; j < items.Length; j++)
        {
            allocator.SetJobTargets(JobNames[j], items[j]);
        }
    }

    /// <summary>Applies the churn (or undoes it) to the jobs it touches only, as discovery would report them.</summary>
    public void SetChurnedJobs(Allocator allocator, TargetItem[][] items)
    {
        for (var j = 0; j < items.Length; j += 10)
        {
            allocator.SetJobTargets(JobNames[j], items[j]);
        }
    }

    private static CollectorInfo Collector(int i) => new($"collector-{i}", $"node-{i}");

    private static TargetItem Replacement(TargetItem t)
    {
        var address = t.TargetUrl.Replace(":9006", ":9007", StringComparison.Ordinal);
        var labels = t.Labels.Select(l => l.Name == "__address__" ? new Label(l.Name, address) : l).ToArray();
        return new TargetItem(t.JobName, address, labels, t.Hash ^ 0x9E3779B97F4A7C15UL);
    }
}
