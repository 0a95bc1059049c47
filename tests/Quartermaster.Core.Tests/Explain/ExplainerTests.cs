using System.Text;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Explain;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Explain;

public sealed class ExplainerTests
{
    private static readonly object Instance = new();

    private static ScrapeConfig Job(string name, params RelabelConfig[] rules) => new()
    {
        JobName = name,
        ScrapeInterval = PromDuration.FromSeconds(60),
        ScrapeTimeout = PromDuration.FromSeconds(10),
        RelabelConfigs = rules,
        FileSdConfigs = [new FileSdConfig { Files = ["targets.json"] }],
    };

    private static PipelineConfig Config(IReadOnlyList<CollectorInfo> collectors, params ScrapeConfig[] jobs) => new()
    {
        Jobs = jobs,
        RelabelFiltering = true,
        ScrapeConfigsRedacted = "{}"u8.ToArray(),
        ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
        Version = "test",
        StaticCollectors = collectors,
    };

    private static TargetGroup Group(string source, string address, params Label[] groupLabels) =>
        new(source, [[new Label("__address__", address)]], LabelSets.FromUnsorted(groupLabels));

    private static TargetPipeline Pipeline(IAllocationStrategy? strategy = null) =>
        new(strategy ?? new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);

    private static ExplainResult Explain(TargetPipeline pipeline, ExplainQuery query, ExplainContext? context = null)
    {
        var task = pipeline.ExplainAsync(query, context, TestContext.Current.CancellationToken);
        pipeline.ProcessPending();
        Assert.True(task.IsCompleted);
        return task.GetAwaiter().GetResult();
    }

    [Fact]
    public void Explain_RelabelDrop_NamesRuleIndexAndAction()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config(
            [new("collector-0")],
            Job("a", new RelabelConfig { SourceLabels = ["env"], TargetLabel = "stage" }, new RelabelConfig { SourceLabels = ["stage"], Regex = "dev", Action = RelabelAction.Drop })));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("targets.json:0", "10.0.0.1:80", new Label("env", "dev"))]);
        pipeline.ProcessPending();

        var result = Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80"));

        var seen = Assert.Single(result.Sightings);
        Assert.Equal("a", seen.Job);
        Assert.Equal("file_sd/0", seen.Source);
        Assert.Equal("targets.json:0", seen.Group);
        Assert.False(seen.Relabel.Kept);
        Assert.Equal(1, seen.Relabel.DroppedByRule);
        Assert.Equal("drop", seen.DroppedByAction);
        Assert.Null(seen.Allocation);
        var json = Encoding.UTF8.GetString(ExplainJson.Write(result));
        Assert.Contains("\"dropped_by_rule\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"dropped_by_action\": \"drop\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_IdentityCollision_NamesTheOtherTarget()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0")], Job("a")));

        // __meta_* labels are not part of the identity, so these two are one target; the later group wins.
        pipeline.PublishGroups("a", "file_sd/0", Instance,
        [
            Group("targets.json:0", "10.0.0.1:80", new Label("__meta_origin", "first")),
            Group("targets.json:1", "10.0.0.1:80", new Label("__meta_origin", "second")),
        ]);
        pipeline.ProcessPending();

        var result = Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80"));

        Assert.Equal(2, result.Sightings.Count);
        var first = result.Sightings.Single(s => s.Group == "targets.json:0");
        var second = result.Sightings.Single(s => s.Group == "targets.json:1");
        Assert.Equal(first.Identity, second.Identity);
        Assert.False(first.Collision!.Served);
        var other = Assert.Single(first.Collision.Others);
        Assert.Equal("targets.json:1", other.Group);
        Assert.True(other.Served);
        Assert.Contains(new Label("__meta_origin", "second"), other.DiscoveredLabels);
        Assert.True(second.Collision!.Served);
        Assert.Equal("targets.json:0", Assert.Single(second.Collision.Others).Group);
        Assert.Contains("\"deduplicated\": true", Encoding.UTF8.GetString(ExplainJson.Write(result)), StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_NoCollision_ReportsNone()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0")], Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("g", "10.0.0.1:80"), Group("h", "10.0.0.2:80")]);
        pipeline.ProcessPending();

        var seen = Assert.Single(Explain(pipeline, ExplainQuery.ForAddress("10.0.0.2:80")).Sightings);

        Assert.Null(seen.Collision);
        Assert.Equal("collector-0", seen.Allocation!.Collector);
        Assert.Null(seen.Allocation.UnassignedReason);
    }

    [Fact]
    public void Explain_PerNodeWithoutCollectorOnNode_SaysWhichNode()
    {
        var pipeline = Pipeline(new PerNodeStrategy(null));
        pipeline.ApplyConfig(Config([new("collector-0", "node-a")], Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance,
            [Group("g", "10.0.0.1:80", new Label("__meta_kubernetes_pod_node_name", "node-b"))]);
        pipeline.ProcessPending();

        var seen = Assert.Single(Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80")).Sightings);

        Assert.True(seen.Relabel.Kept);
        Assert.Null(seen.Allocation!.Collector);
        Assert.Equal("node-b", seen.Allocation.TargetNode);
        Assert.Equal("per-node", seen.Allocation.Strategy);
        Assert.Equal("could not find collector for node node-b", seen.Allocation.UnassignedReason);
        Assert.Null(seen.LastPoll);
    }

    [Fact]
    public void Explain_NoCollectorsAtAll_SaysSo()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([], Job("a")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("g", "10.0.0.1:80")]);
        pipeline.ProcessPending();

        var seen = Assert.Single(Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80")).Sightings);

        Assert.Equal(Allocator.NoCollectorsReason, seen.Allocation!.UnassignedReason);
        Assert.Empty(seen.Allocation.Collectors);
    }

    [Fact]
    public void Explain_UnknownCollectorPolled_IsListedAndOwnerNeverPolled()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0")], Job("a"), Job("b")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("g", "10.0.0.1:80")]);
        pipeline.ProcessPending();
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var context = new ExplainContext
        {
            UnknownCollectors = [new("collector_0", "a", time), new("other", "b", time)],
        };

        var result = Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80", "a"), context);

        var unknown = Assert.Single(result.UnknownCollectors);
        Assert.Equal("collector_0", unknown.CollectorId);
        var seen = Assert.Single(result.Sightings);
        Assert.Equal("collector-0", seen.LastPoll!.Collector);
        Assert.Null(seen.LastPoll.Time);
        Assert.Null(seen.LastPoll.ContainedTarget);
        Assert.Contains("has not polled job a", seen.LastPoll.Detail, StringComparison.Ordinal);
        Assert.Contains("\"collector_id\": \"collector_0\"", Encoding.UTF8.GetString(ExplainJson.Write(result)), StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_PollBeforeAndAfterAssignment_TellsWhetherResponseContainedTarget()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0")], Job("a")));
        pipeline.ProcessPending();
        var before = pipeline.Current.Generation;
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("g", "10.0.0.1:80")]);
        pipeline.ProcessPending();
        var after = pipeline.Current.Generation;
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var old = Assert.Single(Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80"), new ExplainContext
        {
            LastPoll = (c, j) => c == "collector-0" && j == "a" ? new PollRecord(time, before) : null,
        }).Sightings);
        var fresh = Assert.Single(Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80"), new ExplainContext
        {
            LastPoll = (c, j) => c == "collector-0" && j == "a" ? new PollRecord(time, after) : null,
        }).Sightings);

        Assert.Equal(after, old.Allocation!.AssignedGeneration);
        Assert.False(old.LastPoll!.ContainedTarget);
        Assert.Equal(time, old.LastPoll.Time);
        Assert.True(fresh.LastPoll!.ContainedTarget);
    }

    [Fact]
    public void Explain_NeverDiscovered_ListsCandidateJobsAndWhatTheyWatch()
    {
        var pipeline = Pipeline();
        var staticJob = new ScrapeConfig
        {
            JobName = "static-job",
            StaticConfigs = [new TargetGroup("0", [[new Label("__address__", "10.0.0.5:80")]], [])],
        };
        var kube = new ScrapeConfig
        {
            JobName = "kube",
            KubernetesSdConfigs = [new KubernetesSdConfig { Role = "pod", NamespaceNames = ["apps"], Selectors = [new("pod", "app=web", "")] }],
        };
        pipeline.ApplyConfig(Config([new("collector-0")], Job("files"), staticJob, kube));
        pipeline.ProcessPending();
        var context = new ExplainContext
        {
            SourceError = (job, key) => job == "files" && key == "file_sd/0" ? "open targets.json: no such file" : null,
            MissingPermissions = sd => sd.Role == "pod" ? ["list pods in namespace apps"] : [],
        };

        var result = Explain(pipeline, ExplainQuery.ForAddress("10.0.0.9:80"), context);

        Assert.False(result.Found);
        Assert.Equal(["files", "kube", "static-job"], result.CandidateJobs.Select(c => c.Job));
        var files = result.CandidateJobs[0];
        Assert.True(files.CouldHaveFound);
        Assert.Contains("no such file", files.Reason, StringComparison.Ordinal);
        Assert.Equal("files targets.json", files.Sources[0].Watches);
        var k = result.CandidateJobs[1];
        Assert.Equal("role pod in namespaces apps, selectors pod: label app=web", k.Sources[0].Watches);
        Assert.Equal(["list pods in namespace apps"], k.Sources[0].MissingPermissions);
        Assert.Contains("lacks permissions", k.Reason, StringComparison.Ordinal);
        var s = result.CandidateJobs[2];
        Assert.False(s.CouldHaveFound);
        Assert.Contains("10.0.0.9:80 is not one of them", s.Reason, StringComparison.Ordinal);
        Assert.Equal("not found: 10.0.0.9:80; never discovered, jobs that could have found it: files, kube", result.NotFoundMessage());
    }

    [Fact]
    public void Explain_UnknownJob_SaysWhichJobsExist()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0")], Job("a")));
        pipeline.ProcessPending();

        var result = Explain(pipeline, ExplainQuery.ForAddress("10.0.0.1:80", "nope"));

        Assert.False(result.Found);
        Assert.Empty(result.CandidateJobs);
        Assert.Equal("not found: 10.0.0.1:80 in job nope; no job nope is configured; jobs: a", result.NotFoundMessage());
    }

    [Fact]
    public void Explain_MatcherSet_MatchesDiscoveredLabelsAndJobName()
    {
        var pipeline = Pipeline();
        pipeline.ApplyConfig(Config([new("collector-0")], Job("a"), Job("b")));
        pipeline.PublishGroups("a", "file_sd/0", Instance, [Group("g", "10.0.0.1:80", new Label("env", "prod")), Group("h", "10.0.0.2:80", new Label("env", "dev"))]);
        pipeline.PublishGroups("b", "file_sd/0", Instance, [Group("g", "10.0.0.1:80", new Label("env", "prod"))]);
        pipeline.ProcessPending();
        Assert.True(ExplainQuery.TryParse("{env=\"prod\", job=\"b\"}", null, out var query, out var error), error);

        var seen = Assert.Single(Explain(pipeline, query).Sightings);

        Assert.Equal("b", seen.Job);
        Assert.Equal("10.0.0.1:80", seen.Address);
    }

    [Fact]
    public async Task ExplainAsync_Cancelled_CompletesCancelled()
    {
        var pipeline = Pipeline();
        using var cts = new CancellationTokenSource();
        var task = pipeline.ExplainAsync(ExplainQuery.ForAddress("x:1"), null, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        pipeline.ProcessPending();
    }
}
