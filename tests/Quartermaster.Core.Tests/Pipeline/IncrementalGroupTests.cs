using System.Text;
using CsCheck;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Pipeline;

/// <summary>
/// Per-group results are cached between passes: a pipeline fed a sequence of group updates must serve exactly what a
/// fresh pipeline fed only the final groups serves (targets, duplicates, dropped targets with their rules).
/// </summary>
public sealed class IncrementalGroupTests
{
    private static readonly object Instance = new();

    // Drops addresses ending in 7; maps every address to one of few identities via `instance`, so duplicates across
    // groups are common.
    private static readonly RelabelConfig[] Rules =
    [
        new() { SourceLabels = ["__address__"], Regex = ".*7:80", Action = RelabelAction.Drop },
        new() { SourceLabels = ["__address__"], Regex = "10\\.0\\.0\\.(\\d).*", TargetLabel = "__address__", Replacement = "host-$1" },
    ];

    private static ScrapeConfig Job(params RelabelConfig[] rules) => new()
    {
        JobName = "a",
        ScrapeInterval = PromDuration.FromSeconds(60),
        ScrapeTimeout = PromDuration.FromSeconds(10),
        RelabelConfigs = rules,
        FileSdConfigs = [new FileSdConfig { Files = ["targets.json"] }],
    };

    private static readonly byte[] ScrapeConfigs = "{}"u8.ToArray();

    private static PipelineConfig Config(ScrapeConfig job) => new()
    {
        Jobs = [job],
        RelabelFiltering = true,
        ScrapeConfigsRedacted = ScrapeConfigs,
        ScrapeConfigsWithSecrets = ScrapeConfigs,
        Version = "test",
        StaticCollectors = [new("collector-0"), new("collector-1"), new("collector-2")],
    };

    private static TargetPipeline Pipeline() => new(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);

    private static TargetGroup Group(int source, int[] hosts) =>
        new($"g{source}", [.. hosts.Select(h => new[] { new Label("__address__", $"10.0.0.{h}:80") })], [new Label("group", $"g{source}")]);

    private static string Served(TargetPipeline p)
    {
        var s = p.Current;
        var sb = new StringBuilder();
        foreach (var c in s.Collectors)
        {
            sb.Append(c).Append('=').Append(Encoding.UTF8.GetString(s.TargetsFor("a", c)));
        }

        if (s.JobStats.TryGetValue("a", out var stats))
        {
            sb.Append(stats);
        }

        if (s.DroppedTargets.TryGetValue("a", out var dropped))
        {
            foreach (var d in dropped)
            {
                sb.Append(d.RuleIndex).Append(string.Join(',', d.Labels));
            }
        }

        return sb.ToString();
    }

    [Fact]
    public void ReReadGroups_WithEqualContent_AreNotRelabeled_AndChangedOnesAre()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job(Rules)));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group(0, [1, 2, 3]), Group(1, [4, 5, 7])]);
        pipeline.ProcessPending();
        var served = Served(pipeline);
        var relabeled = pipeline.GroupsRelabeled;

        // A re-read gives new objects (new label arrays, new strings) with the same content.
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Copy(Group(0, [1, 2, 3])), Copy(Group(1, [4, 5, 7]))]);
        pipeline.ProcessPending();

        Assert.Equal(relabeled, pipeline.GroupsRelabeled);
        Assert.Equal(served, Served(pipeline));

        // One group changes in one target, one in a group label: both, and only they, are relabeled.
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group(0, [1, 2, 6]), Copy(Group(1, [4, 5, 7]))]);
        pipeline.ProcessPending();
        Assert.Equal(relabeled + 1, pipeline.GroupsRelabeled);
        var relabeledGroup = Group(1, [4, 5, 7]);
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group(0, [1, 2, 6]), new TargetGroup("g1", relabeledGroup.Targets, [new Label("group", "other")])]);
        pipeline.ProcessPending();
        Assert.Equal(relabeled + 2, pipeline.GroupsRelabeled);

        var fresh = Pipeline();
        fresh.ApplyConfig(Config(Job(Rules)));
        fresh.PublishGroups("a", "file_sd/0", Instance, [Group(0, [1, 2, 6]), new TargetGroup("g1", relabeledGroup.Targets, [new Label("group", "other")])]);
        fresh.ProcessPending();
        Assert.Equal(Served(fresh), Served(pipeline));
    }

    private static TargetGroup Copy(TargetGroup group) => new(
        new string(group.Source),
        [.. group.Targets.Select(t => t.Select(l => new Label(new string(l.Name), new string(l.Value))).ToArray())],
        [.. group.Labels.Select(l => new Label(new string(l.Name), new string(l.Value)))]);

    [Fact]
    public void UpdateSequence_ServesWhatFreshPipelineServes()
    {
        // A step replaces group `source` with the given hosts (empty removes it).
        var step = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 9].Array[0, 4]);
        step.Array[1, 12].Sample(steps =>
        {
            var incremental = Pipeline();
            incremental.ApplyConfig(Config(Job(Rules)));
            var final = new SortedDictionary<int, int[]>();
            foreach (var (source, hosts) in steps)
            {
                incremental.PublishGroups("a", "file_sd/0", Instance, [Group(source, hosts)]);
                incremental.ProcessPending();
                if (hosts.Length == 0)
                {
                    final.Remove(source);
                }
                else
                {
                    final[source] = hosts;
                }
            }

            var fresh = Pipeline();
            fresh.ApplyConfig(Config(Job(Rules)));
            fresh.PublishGroups("a", "file_sd/0", Instance, [.. final.Select(kv => Group(kv.Key, kv.Value))]);
            fresh.ProcessPending();
            return Served(incremental) == Served(fresh);
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Reload_WithEquivalentConfig_KeepsResults_AndChangedRulesReprocess()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job(Rules)));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group(0, [1, 2, 7])]);
        pipeline.ProcessPending();
        var before = Served(pipeline);
        var generation = pipeline.Current.Generation;
        var processed = pipeline.JobsProcessed;

        // An equal config (new objects, same content) changes nothing: no job re-assembled, no new snapshot.
        pipeline.ApplyConfig(Config(Job([.. Rules.Select(r => new RelabelConfig
        {
            SourceLabels = [.. r.SourceLabels], Regex = r.Regex, Action = r.Action, TargetLabel = r.TargetLabel, Replacement = r.Replacement,
        })])));
        pipeline.ProcessPending();
        Assert.Equal(before, Served(pipeline));
        Assert.Equal(generation, pipeline.Current.Generation);
        Assert.Equal(processed, pipeline.JobsProcessed);

        // Dropping the first rule brings the dropped target back.
        pipeline.ApplyConfig(Config(Job(Rules[1])));
        pipeline.ProcessPending();
        Assert.Equal(processed + 1, pipeline.JobsProcessed);
        Assert.Contains("10.0.0.7:80", Served(pipeline), StringComparison.Ordinal);
        Assert.Equal(3, pipeline.Current.JobStats["a"].Kept);

        // A new keep_dropped_targets alone re-assembles the job (it bounds the dropped list kept per job).
        var limited = Job(Rules[1]);
        limited.KeepDroppedTargets = 1;
        pipeline.ApplyConfig(Config(limited));
        pipeline.ProcessPending();
        Assert.Equal(processed + 2, pipeline.JobsProcessed);
    }
}
