using System.Text;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Relabeling;
using Quartermaster.Core.Serving;

namespace Quartermaster.Core.Tests.Pipeline;

public class TargetPipelineTests
{
    private static readonly object Instance = new();

    private static ScrapeConfig Job(string name, params RelabelConfig[] rules) => new()
    {
        JobName = name,
        ScrapeInterval = PromDuration.FromSeconds(60),
        ScrapeTimeout = PromDuration.FromSeconds(10),
        RelabelConfigs = rules,

        // Groups in these tests come from this job's one file_sd provider, key "file_sd/0".
        FileSdConfigs = [new FileSdConfig { Files = ["targets.json"] }],
    };

    private static PipelineConfig Config(params ScrapeConfig[] jobs) => new()
    {
        Jobs = jobs,
        RelabelFiltering = true,
        ScrapeConfigsRedacted = "{}"u8.ToArray(),
        ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
        Version = "test",
        StaticCollectors = [new("collector-0"), new("collector-1")],
    };

    private static TargetGroup Group(string source, params string[] addresses) =>
        new(source, [.. addresses.Select(a => new[] { new Label("__address__", a) })], [new Label("env", "prod")]);

    private static TargetPipeline Pipeline() => new(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);

    private static string AllTargets(TargetPipeline p, string job) =>
        string.Concat(p.Current.Collectors.Select(c => Encoding.UTF8.GetString(p.Current.TargetsFor(job, c))));

    [Fact]
    public void CompressBodies_StoresGzip_ServesTheSameJson_AndSwitchingRewritesEveryBody()
    {
        // Enough targets and labels that bodies pass the 1 KiB gzip threshold, plus a small job that stays plain.
        var big = Enumerable.Range(0, 40).Select(i => $"10.1.{i / 200}.{i % 200}:9100").ToArray();
        TargetGroup BigGroup() => new("0", [.. big.Select(a => new[] { new Label("__address__", a), new Label("pod", "pod-" + a + new string('x', 60)) })], [new Label("env", "prod")]);
        void Feed(TargetPipeline p)
        {
            p.PublishGroups("a", "file_sd/0", Instance, [BigGroup()]);
            p.PublishGroups("b", "file_sd/0", Instance, [Group("0", "10.0.0.9:80")]);
            p.ProcessPending();
        }

        var plain = Pipeline();
        plain.ApplyConfig(Config(Job("a"), Job("b")));
        Feed(plain);
        var compressed = Pipeline();
        compressed.ApplyConfig(WithCompression(Config(Job("a"), Job("b")), true));
        Feed(compressed);

        foreach (var job in new[] { "a", "b" })
        {
            Assert.Equal(AllTargets(plain, job), AllTargets(compressed, job));
            Assert.Equal(plain.Current.Jobs[job].CollectorMap, compressed.Current.Jobs[job].CollectorMap);
        }

        Assert.All(compressed.Current.Jobs["a"].ByCollector.Values, b => Assert.True(b.IsGzip));
        Assert.All(compressed.Current.Jobs["b"].ByCollector.Values, b => Assert.False(b.IsGzip));
        var compressedSize = compressed.Current.Jobs["a"].ByCollector.Values.Sum(b => b.Length);
        var plainSize = plain.Current.Jobs["a"].ByCollector.Values.Sum(b => b.Length);
        Assert.True(compressedSize * 3 < plainSize, $"{compressedSize} compressed bytes for {plainSize} plain");

        // Switching back rewrites every body as JSON with no target change; the served JSON stays the same.
        var before = AllTargets(compressed, "a");
        compressed.ApplyConfig(WithCompression(Config(Job("a"), Job("b")), false));
        compressed.ProcessPending();
        Assert.All(compressed.Current.Jobs["a"].ByCollector.Values, b => Assert.False(b.IsGzip));
        Assert.Equal(before, AllTargets(compressed, "a"));
    }

    [Fact]
    public void ManyJobsInOneBatch_WrittenInParallel_ServeWhatJobByJobBatchesServe()
    {
        // 40 jobs touched by one batch take the parallel path; one job per batch takes the sequential one.
        var jobs = Enumerable.Range(0, 40).Select(j => Job($"job-{j}")).ToArray();
        TargetGroup JobGroup(int j) => Group("0", [.. Enumerable.Range(0, 7).Select(t => $"10.{j}.0.{t}:80")]);
        var batched = Pipeline();
        batched.ApplyConfig(Config(jobs));
        var oneByOne = Pipeline();
        oneByOne.ApplyConfig(Config(jobs));
        oneByOne.ProcessPending();
        for (var j = 0; j < jobs.Length; j++)
        {
            batched.PublishGroups(jobs[j].JobName, "file_sd/0", Instance, [JobGroup(j)]);
            oneByOne.PublishGroups(jobs[j].JobName, "file_sd/0", Instance, [JobGroup(j)]);
            oneByOne.ProcessPending();
        }

        batched.ProcessPending();

        Assert.Equal(280, batched.Current.TargetCount);
        foreach (var job in jobs)
        {
            Assert.Equal(AllTargets(oneByOne, job.JobName), AllTargets(batched, job.JobName));
            Assert.Equal(oneByOne.Current.Jobs[job.JobName].CollectorMap, batched.Current.Jobs[job.JobName].CollectorMap);
        }
    }

    private static PipelineConfig WithCompression(PipelineConfig c, bool compress) => new()
    {
        Jobs = c.Jobs,
        RelabelFiltering = c.RelabelFiltering,
        ScrapeConfigsRedacted = c.ScrapeConfigsRedacted,
        ScrapeConfigsWithSecrets = c.ScrapeConfigsWithSecrets,
        Version = c.Version,
        StaticCollectors = c.StaticCollectors,
        CompressBodies = compress,
    };

    [Fact]
    public void Groups_AreMergedFilteredAllocatedAndServed()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80", "10.0.0.2:80")]);

        pipeline.ProcessPending();

        var snapshot = pipeline.Current;
        Assert.True(snapshot.IsReady);
        Assert.Equal(2, snapshot.TargetCount);
        Assert.Equal(["collector-0", "collector-1"], snapshot.Collectors);
        var served = AllTargets(pipeline, "a");
        Assert.Contains("{\"targets\":[\"10.0.0.1:80\"],\"labels\":{\"__address__\":\"10.0.0.1:80\",\"env\":\"prod\"}}", served, StringComparison.Ordinal);
        Assert.Contains("10.0.0.2:80", served, StringComparison.Ordinal);
        Assert.Equal("{\"a\":{\"_link\":\"/jobs/a/targets\"}}\n", Encoding.UTF8.GetString(snapshot.JobsJson));
    }

    [Fact]
    public async Task Run_EventsBeforeAndWhileRunning_AppliedOnTheCallingThreadUntilCancelled()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a")));
        using var stop = new CancellationTokenSource();
        Exception? ended = null;
        var loop = new Thread(() =>
        {
            try
            {
                pipeline.Run(stop.Token);
            }
            catch (Exception ex)
            {
                ended = ex;
            }
        });
        var timeout = TimeSpan.FromSeconds(10);
        var first = pipeline.NextSnapshotAsync();
        loop.Start();
        await first.WaitAsync(timeout, TestContext.Current.CancellationToken);
        Assert.True(pipeline.Current.IsReady);

        // An event written while the loop waits wakes it.
        var second = pipeline.NextSnapshotAsync();
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80")]);
        await second.WaitAsync(timeout, TestContext.Current.CancellationToken);
        Assert.Equal(1, pipeline.Current.TargetCount);

        await stop.CancelAsync();
        Assert.True(loop.Join(timeout));
        Assert.IsType<OperationCanceledException>(ended);
    }

    [Fact]
    public void RelabelDrop_RemovesTarget_AndKeepsStats()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a", new RelabelConfig { SourceLabels = ["__address__"], Regex = "10\\.0\\.0\\.1:80", Action = RelabelAction.Drop })));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80", "10.0.0.2:80")]);

        pipeline.ProcessPending();

        Assert.Equal(1, pipeline.Current.TargetCount);
        Assert.DoesNotContain("10.0.0.1:80", AllTargets(pipeline, "a"), StringComparison.Ordinal);
        Assert.Equal(new Core.Serving.JobStats(2, 1, 0, 1), pipeline.Current.JobStats["a"]);
        var dropped = Assert.Single(pipeline.Current.DroppedTargets["a"]);
        Assert.Equal(0, dropped.RuleIndex);
        Assert.Equal([new Label("__address__", "10.0.0.1:80"), new Label("env", "prod")], dropped.Labels);
    }

    [Fact]
    public void DroppedTargets_AreBoundedPerJob_AndNameTheRule()
    {
        var pipeline = Pipeline();
        var job = Job("a",
            new RelabelConfig { SourceLabels = ["env"], Regex = "prod", Action = RelabelAction.Keep },
            new RelabelConfig { SourceLabels = ["__address__"], Regex = ".*", Action = RelabelAction.Drop });
        job.KeepDroppedTargets = 3;
        pipeline.ApplyConfig(Config(job));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", [.. Enumerable.Range(1, 10).Select(i => $"10.0.0.{i}:80")])]);

        pipeline.ProcessPending();

        Assert.Equal(10, pipeline.Current.JobStats["a"].Dropped);
        Assert.Equal(3, pipeline.Current.DroppedTargets["a"].Count);
        Assert.All(pipeline.Current.DroppedTargets["a"], d => Assert.Equal(1, d.RuleIndex));
    }

    [Fact]
    public void SameIdentityAfterRelabel_IsOneTarget_AndCountedAsDuplicate()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a", new RelabelConfig { TargetLabel = "__address__", Replacement = "same:80" })));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80", "10.0.0.2:80")]);

        pipeline.ProcessPending();

        Assert.Equal(1, pipeline.Current.TargetCount);
        Assert.Equal(1, pipeline.Current.JobStats["a"].Duplicates);
    }

    [Fact]
    public void EmptyGroup_DeletesSource_AndNewProviderInstanceReplacesOldGroups()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80"), Group("1", "10.0.0.2:80")]);
        pipeline.ProcessPending();

        pipeline.PublishGroups("a", "file_sd/0", Instance, [TargetGroup.Empty("0")]);
        pipeline.ProcessPending();
        Assert.Equal(1, pipeline.Current.TargetCount);

        pipeline.PublishGroups("a", "file_sd/0", new object(), [Group("9", "10.0.0.3:80")]);
        pipeline.ProcessPending();
        Assert.Equal(1, pipeline.Current.TargetCount);
        Assert.Contains("10.0.0.3:80", AllTargets(pipeline, "a"), StringComparison.Ordinal);
    }

    [Fact]
    public void NothingChanged_PublishesNoNewSnapshot()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80")]);
        pipeline.ProcessPending();
        var generation = pipeline.Current.Generation;
        var bytes = pipeline.Current.Jobs["a"].ByCollector.Values.Single();

        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80")]);
        pipeline.ProcessPending();

        Assert.Equal(generation, pipeline.Current.Generation);
        Assert.Same(bytes, pipeline.Current.Jobs["a"].ByCollector.Values.Single());
    }

    [Fact]
    public void ChangeInOneJob_KeepsOtherJobsBytes()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a"), Job("b")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80")]);
        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("0", "10.0.0.2:80")]);
        pipeline.ProcessPending();
        var bView = pipeline.Current.Jobs["b"];

        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80", "10.0.0.9:80")]);
        pipeline.ProcessPending();

        Assert.Same(bView, pipeline.Current.Jobs["b"]);
        Assert.Equal(2, pipeline.Current.Jobs["a"].TargetCount);
    }

    [Fact]
    public void JobRemovedFromConfig_DisappearsFromJobs_AndGroupsForUnknownJobsAreIgnored()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a"), Job("b")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", "10.0.0.1:80")]);
        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("0", "10.0.0.2:80")]);
        pipeline.ProcessPending();

        pipeline.ApplyConfig(Config(Job("a")));
        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("0", "10.0.0.3:80")]);
        pipeline.ProcessPending();

        Assert.Equal(["a"], pipeline.Current.Jobs.Keys);
        Assert.Equal("{\"a\":{\"_link\":\"/jobs/a/targets\"}}\n", Encoding.UTF8.GetString(pipeline.Current.JobsJson));
        Assert.Equal(1, pipeline.Current.TargetCount);
    }

    [Fact]
    public void CollectorRemoved_ItsTargetsMoveToTheRemainingCollector()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("0", [.. Enumerable.Range(1, 20).Select(i => $"10.0.0.{i}:80")])]);
        pipeline.ProcessPending();
        Assert.All(pipeline.Current.Collectors, c => Assert.True(pipeline.Current.TargetsPerCollector[c] > 0));

        pipeline.SetCollectors([new("collector-1")]);
        pipeline.ProcessPending();

        Assert.Equal(["collector-1"], pipeline.Current.Collectors);
        Assert.Equal(20, pipeline.Current.TargetsPerCollector["collector-1"]);
        Assert.Equal("[]\n", Encoding.UTF8.GetString(pipeline.Current.TargetsFor("a", "collector-0")));
        Assert.Contains("collector-1", Encoding.UTF8.GetString(pipeline.Current.Jobs["a"].CollectorMap), StringComparison.Ordinal);
        Assert.DoesNotContain("collector-0", Encoding.UTF8.GetString(pipeline.Current.Jobs["a"].CollectorMap), StringComparison.Ordinal);
    }

    [Fact]
    public void ServedTargets_AreSortedByAddress_SoReplicasServeTheSameBytes()
    {
        var one = Pipeline();
        var two = Pipeline();
        string[] addresses = [.. Enumerable.Range(1, 30).Select(i => $"10.0.{i % 7}.{i}:80")];
        one.ApplyConfig(Config(Job("a")));
        two.ApplyConfig(Config(Job("a")));
        one.PublishGroups("a", "file_sd/0", Instance, [Group("0", addresses)]);
        two.PublishGroups("a", "file_sd/0", Instance, [Group("0", [.. addresses.Reverse()])]);
        one.ProcessPending();
        two.ProcessPending();

        foreach (var c in one.Current.Collectors)
        {
            Assert.Equal(one.Current.TargetsFor("a", c), two.Current.TargetsFor("a", c));
        }

        Assert.Equal(one.Current.Jobs["a"].CollectorMap, two.Current.Jobs["a"].CollectorMap);
    }
}
