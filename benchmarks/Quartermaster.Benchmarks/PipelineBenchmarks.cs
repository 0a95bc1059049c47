using BenchmarkDotNet.Attributes;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Serving;

namespace Quartermaster.Benchmarks;

/// <summary>
/// One full pass through the real pipeline, as go-baseline.md §1 measures upstream: discovery processing (merge,
/// relabel filter, identity), allocation over 100 collectors, and every (collector, job) response built as bytes.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private IReadOnlyList<TargetGroup>[] _groups = [];
    private PipelineConfig _config = null!;
    private CollectorInfo[] _collectors = [];

    [Params(10_000, 100_000)]
    public int Targets { get; set; }

    [Params(false, true)]
    public bool KeepDrop { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _groups = Workload.Groups(Targets);
        _config = new PipelineConfig
        {
            Jobs = Workload.Jobs(_groups, KeepDrop),
            RelabelFiltering = true,
            ScrapeConfigsRedacted = "{}"u8.ToArray(),
            ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
            Version = "bench",
        };
        _collectors = [.. Enumerable.Range(0, 100).Select(i => new CollectorInfo($"collector-{i}"))];
    }

    [Benchmark]
    public ServingSnapshot FullPass() => RunFullPass(_groups, _config, _collectors).Current;

    /// <summary>A fresh pipeline fed every job's groups and processed once; shared with <see cref="PipelineStopwatch"/>.</summary>
    public static TargetPipeline RunFullPass(IReadOnlyList<TargetGroup>[] groups, PipelineConfig config, CollectorInfo[] collectors)
    {
        var pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
        pipeline.ApplyConfig(config);
        pipeline.SetCollectors(collectors);
        var instance = new object();
        for (var j = 0; j < groups.Length; j++)
        {
            pipeline.PublishGroups(Workload.JobName(j), "static", instance, groups[j]);
        }

        pipeline.ProcessPending();
        return pipeline;
    }
}

/// <summary>
/// Incremental work on a warm pipeline: re-publishing unchanged groups (a discovery refresh where nothing changed), and
/// one job gaining one target (the bytes of that job only are rebuilt).
/// </summary>
[MemoryDiagnoser]
public class IncrementalBenchmarks
{
    private IReadOnlyList<TargetGroup>[] _groups = [];
    private TargetPipeline _pipeline = null!;
    private readonly object _instance = new();
    private IReadOnlyList<TargetGroup> _grown = [];
    private bool _toggle;

    [Params(100_000)]
    public int Targets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _groups = Workload.Groups(Targets);
        _pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
        _pipeline.ApplyConfig(new PipelineConfig
        {
            Jobs = Workload.Jobs(_groups, false),
            RelabelFiltering = true,
            ScrapeConfigsRedacted = "{}"u8.ToArray(),
            ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
            Version = "bench",
        });
        _pipeline.SetCollectors([.. Enumerable.Range(0, 100).Select(i => new CollectorInfo($"collector-{i}"))]);
        for (var j = 0; j < _groups.Length; j++)
        {
            _pipeline.PublishGroups(Workload.JobName(j), "static", _instance, _groups[j]);
        }

        _pipeline.ProcessPending();
        var first = _groups[0][0];
        _grown = [new TargetGroup(first.Source, [.. first.Targets, [new("__address__", "10.255.255.255:9006")]], first.Labels)];
    }

    [Benchmark]
    public long UnchangedJobRefresh()
    {
        _pipeline.PublishGroups(Workload.JobName(1), "static", _instance, _groups[1]);
        _pipeline.ProcessPending();
        return _pipeline.Current.Generation;
    }

    [Benchmark]
    public long OneTargetAddedOrRemoved()
    {
        _toggle = !_toggle;
        _pipeline.PublishGroups(Workload.JobName(0), "static", _instance, _toggle ? _grown : [_groups[0][0]]);
        _pipeline.ProcessPending();
        return _pipeline.Current.Generation;
    }
}

/// <summary>The request path: the bytes a collector's poll gets, looked up in the snapshot.</summary>
[MemoryDiagnoser]
public class ServeBenchmarks
{
    private TargetPipeline _pipeline = null!;

    [GlobalSetup]
    public void Setup()
    {
        var groups = Workload.Groups(10_000);
        _pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
        _pipeline.ApplyConfig(new PipelineConfig
        {
            Jobs = Workload.Jobs(groups, false),
            RelabelFiltering = true,
            ScrapeConfigsRedacted = "{}"u8.ToArray(),
            ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
            Version = "bench",
        });
        _pipeline.SetCollectors([.. Enumerable.Range(0, 100).Select(i => new CollectorInfo($"collector-{i}"))]);
        var instance = new object();
        for (var j = 0; j < groups.Length; j++)
        {
            _pipeline.PublishGroups(Workload.JobName(j), "static", instance, groups[j]);
        }

        _pipeline.ProcessPending();
    }

    [Benchmark]
    public int TargetsForCollectorAndJob() => _pipeline.Current.StoredTargetsFor("test-job-7", "collector-42").Length;
}
