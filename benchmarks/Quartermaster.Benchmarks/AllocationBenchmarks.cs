using BenchmarkDotNet.Attributes;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Benchmarks;

/// <summary>
/// Allocation alone, as go-baseline.md's "allocate" column: a fresh allocator with 100 collectors is given every job's
/// targets (upstream: <c>SetCollectors</c> then <c>SetTargets</c> on a fresh instance).
/// </summary>
[MemoryDiagnoser]
public class AllocationBenchmarks
{
    private AllocationWorkload _workload = null!;

    [ParamsSource(typeof(AllocationWorkload), nameof(AllocationWorkload.Sizes))]
    public int Targets { get; set; }

    [Params(ConsistentHashingStrategy.StrategyName, LeastWeightedStrategy.StrategyName, PerNodeStrategy.StrategyName)]
    public string Strategy { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _workload = new AllocationWorkload(Targets);

    [Benchmark]
    public int SetTargets() => _workload.Allocate(Strategy).TargetCount;
}

/// <summary>Collector churn on a warm allocator: one collector joins or leaves a set of 100 (alternating).</summary>
[MemoryDiagnoser]
public class CollectorChurnBenchmarks
{
    private AllocationWorkload _workload = null!;
    private Allocator _allocator = null!;
    private bool _added;

    [ParamsSource(typeof(AllocationWorkload), nameof(AllocationWorkload.Sizes))]
    public int Targets { get; set; }

    [Params(ConsistentHashingStrategy.StrategyName, LeastWeightedStrategy.StrategyName, PerNodeStrategy.StrategyName)]
    public string Strategy { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _workload = new AllocationWorkload(Targets);
        _allocator = _workload.Allocate(Strategy);
    }

    [Benchmark]
    public bool OneCollectorAddedOrRemoved()
    {
        _added = !_added;
        var changed = _allocator.SetCollectors(_added ? _workload.CollectorSetPlusOne : _workload.CollectorSet);
        _allocator.DrainChanges();
        return changed;
    }
}

/// <summary>1 % of the targets replaced on a warm allocator (10 targets in every tenth job), alternating with the original.</summary>
[MemoryDiagnoser]
public class TargetChurnBenchmarks
{
    private AllocationWorkload _workload = null!;
    private Allocator _allocator = null!;
    private bool _churned;

    [ParamsSource(typeof(AllocationWorkload), nameof(AllocationWorkload.Sizes))]
    public int Targets { get; set; }

    [Params(ConsistentHashingStrategy.StrategyName, LeastWeightedStrategy.StrategyName, PerNodeStrategy.StrategyName)]
    public string Strategy { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _workload = new AllocationWorkload(Targets);
        _allocator = _workload.Allocate(Strategy);
    }

    [Benchmark]
    public int OnePercentChurn()
    {
        _churned = !_churned;
        _workload.SetChurnedJobs(_allocator, _churned ? _workload.Churned : _workload.Items);
        return _allocator.DrainChanges().DirtyPairs.Count;
    }
}
