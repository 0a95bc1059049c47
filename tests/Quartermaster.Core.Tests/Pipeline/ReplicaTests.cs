using System.Globalization;
using CsCheck;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;

namespace Quartermaster.Core.Tests.Pipeline;

/// <summary>Two replicas given the same inputs in different orders serve the same bytes on every endpoint.</summary>
public class ReplicaTests
{
    private static readonly object Instance = new();
    private static readonly string[] JobNames = ["a", "b", "c"];

    private static IAllocationStrategy Create(string name) => name switch
    {
        "consistent-hashing" => new ConsistentHashingStrategy(RingVersion.V0_10_0),
        "least-weighted" => new LeastWeightedStrategy(),
        "per-node" => new PerNodeStrategy(new ConsistentHashingStrategy(RingVersion.V1_0_0)),
        "per-node-least-weighted" => new PerNodeStrategy(new LeastWeightedStrategy()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static string S(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>One job's targets, split over several group sources; each target index gets its own labels.</summary>
    private static TargetGroup[] Groups(int[] targets) =>
    [
        .. targets.Distinct().GroupBy(t => t % 4).Select(g => new TargetGroup(
            S(g.Key),
            [.. g.Select(t => new[]
            {
                new Label("__address__", $"10.1.{S(t / 200)}.{S(t % 200)}:9100"),
                new Label("__meta_kubernetes_pod_node_name", t % 3 == 0 ? "" : $"node-{S(t % 3)}"),
                new Label("instance_index", S(t)),
            })],
            [new Label("group", S(g.Key))])),
    ];

    private static List<Action<TargetPipeline>> Inputs(int collectors, int[][] targets)
    {
        var inputs = new List<Action<TargetPipeline>>
        {
            p => p.SetCollectors([.. Enumerable.Range(0, collectors).Select(c => new CollectorInfo($"collector-{S(c)}", $"node-{S(c % 3)}"))]),
        };
        for (var j = 0; j < JobNames.Length; j++)
        {
            var job = JobNames[j];
            foreach (var group in Groups(targets[j]))
            {
                inputs.Add(p => p.PublishGroups(job, "file_sd/0", Instance, [group]));
            }
        }

        return inputs;
    }

    /// <summary>Sends the inputs in the order <paramref name="seed"/> picks; cuts batches there too unless told not to.</summary>
    private static TargetPipeline Run(string strategy, List<Action<TargetPipeline>> inputs, int seed, bool oneBatch)
    {
        var random = new Random(seed);
        var pipeline = new TargetPipeline(Create(strategy), TimeProvider.System);
        pipeline.ApplyConfig(PipelineAllocationTests.Config(null, null, null, JobNames));
        pipeline.ProcessPending();
        foreach (var input in inputs.OrderBy(_ => random.Next()))
        {
            input(pipeline);
            if (!oneBatch && random.Next(3) == 0)
            {
                pipeline.ProcessPending();
            }
        }

        pipeline.ProcessPending();
        return pipeline;
    }

    private static readonly Gen<(int Collectors, int[][] Targets, int SeedA, int SeedB)> Case = Gen.Select(
        Gen.Int[1, 7], Gen.Int[0, 400].Array[0, 60].Array[3], Gen.Int, Gen.Int);

    [Theory]
    [InlineData("consistent-hashing")]
    [InlineData("per-node")]
    public void SameInputs_AnyOrderAndBatching_ByteIdentical(string strategy)
    {
        Case.Sample(c =>
        {
            var inputs = Inputs(c.Collectors, c.Targets);
            var one = Run(strategy, inputs, c.SeedA, oneBatch: false);
            var two = Run(strategy, inputs, c.SeedB, oneBatch: false);

            AllocationPropertyTests.AssertSameBytes(one.Current, two.Current);
        }, iter: 100);
    }

    [Theory]
    [InlineData("consistent-hashing")]
    [InlineData("least-weighted")]
    [InlineData("per-node")]
    [InlineData("per-node-least-weighted")]
    public void SameInputs_AnyOrderInOneBatch_ByteIdentical(string strategy)
    {
        // Least-weighted depends on what it has seen before, so replicas agree when each applies the same batch; within
        // a batch targets are assigned job by job in name order and by identity, whatever order they arrived in.
        Case.Sample(c =>
        {
            var inputs = Inputs(c.Collectors, c.Targets);
            var one = Run(strategy, inputs, c.SeedA, oneBatch: true);
            var two = Run(strategy, inputs, c.SeedB, oneBatch: true);

            AllocationPropertyTests.AssertSameBytes(one.Current, two.Current);
        }, iter: 100);
    }
}
