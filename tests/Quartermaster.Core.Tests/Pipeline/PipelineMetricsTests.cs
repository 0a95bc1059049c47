using System.Diagnostics.Metrics;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Pipeline;
using static Quartermaster.Core.Tests.Pipeline.PipelineAllocationTests;

namespace Quartermaster.Core.Tests.Pipeline;

public sealed class PipelineMetricsTests
{
    private static readonly object Instance = new();

    [Fact]
    public void PerNode_UnassignedTargets_CountedByBoundedReason()
    {
        using var factory = new MeterFactory();
        var pipeline = default(TargetPipeline);
        var metrics = new PipelineMetrics(factory, () => pipeline!.Current, () => pipeline!.StrategyName);
        pipeline = new TargetPipeline(new PerNodeStrategy(null), TimeProvider.System, metrics);
        pipeline.ApplyConfig(PipelineAllocationTests.Config([new("c-0", "node-a")], new PerNodeStrategy(null), null, "a"));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [
            Group("0", ["10.0.0.1:80"], node: "node-a"),
            Group("1", ["10.0.0.2:80", "10.0.0.3:80"], node: "node-b"),
            Group("2", ["10.0.0.4:80"]),
        ]);
        pipeline.ProcessPending();

        var observed = Observe(factory, "quartermaster_targets_unassigned_by_reason", "reason");

        Assert.Equal(PipelineMetrics.UnassignedReasons.Order(StringComparer.Ordinal), observed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, observed["no_collector_on_node"]);
        Assert.Equal(1, observed["no_node_label"]);
        Assert.Equal(3, observed.Values.Sum());
    }

    [Fact]
    public void NoCollectors_UnassignedCountedAsNoCollectors()
    {
        using var factory = new MeterFactory();
        var pipeline = default(TargetPipeline);
        var metrics = new PipelineMetrics(factory, () => pipeline!.Current, () => pipeline!.StrategyName);
        pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System, metrics);
        pipeline.ApplyConfig(PipelineAllocationTests.Config([], null, null, "a"));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", ["10.0.0.1:80", "10.0.0.2:80"])]);
        pipeline.ProcessPending();

        var observed = Observe(factory, "quartermaster_targets_unassigned_by_reason", "reason");

        Assert.Equal(2, observed["no_collectors"]);
        Assert.Equal(2, observed.Values.Sum());
    }

    [Fact]
    public void ProcessJob_RecordsTargetGroupsDurationPerJob()
    {
        using var factory = new MeterFactory();
        var pipeline = default(TargetPipeline);
        var metrics = new PipelineMetrics(factory, () => pipeline!.Current, () => pipeline!.StrategyName);
        pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System, metrics);
        var jobs = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == PipelineMetrics.MeterName && i.Name == "opentelemetry_allocator_process_target_groups_duration_seconds")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            Assert.True(value >= 0);
            jobs.Add((string)tags.ToArray().Single(t => t.Key == "job_name").Value!);
        });
        listener.Start();

        pipeline.ApplyConfig(PipelineAllocationTests.Config([new("c-0")], null, null, "a", "b"));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", ["10.0.0.1:80"])]);
        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("0", ["10.0.0.2:80"])]);
        pipeline.ProcessPending();

        Assert.Equal(["a", "b"], jobs);
    }

    [Theory]
    [InlineData(Allocator.NoCollectorsReason, "no_collectors")]
    [InlineData("the target has no node label and no allocation_fallback_strategy is set", "no_node_label")]
    [InlineData("could not find collector for node node-7", "no_collector_on_node")]
    [InlineData("its collector is not ready", "collector_not_ready")]
    [InlineData("its collector was removed", "collector_removed")]
    [InlineData("unknown collector c-9", "other")]
    public void ClassifyUnassigned_Reason_BoundedLabel(string reason, string label)
    {
        Assert.Equal(label, PipelineMetrics.ClassifyUnassigned(reason));
    }

    private static Dictionary<string, long> Observe(MeterFactory factory, string instrument, string tag)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (factory.Owns(i.Meter) && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            result[(string)tags.ToArray().Single(t => t.Key == tag).Value!] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return result;
    }

    private sealed class MeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public bool Owns(Meter meter) => _meters.Contains(meter);

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
