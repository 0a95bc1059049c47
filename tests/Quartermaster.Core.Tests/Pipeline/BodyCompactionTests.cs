using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Serving;

namespace Quartermaster.Core.Tests.Pipeline;

/// <summary>Bodies share slabs; churn leaves holes, which compaction keeps bounded without changing a served byte.</summary>
public class BodyCompactionTests
{
    private const int Jobs = 60;
    private static readonly object Instance = new();

    private static PipelineConfig Config(bool compress) => new()
    {
        Jobs = [.. Enumerable.Range(0, Jobs).Select(j => new ScrapeConfig
        {
            JobName = "job-" + j,
            ScrapeInterval = PromDuration.FromSeconds(60),
            ScrapeTimeout = PromDuration.FromSeconds(10),
            FileSdConfigs = [new FileSdConfig { Files = ["targets.json"] }],
        })],
        RelabelFiltering = true,
        ScrapeConfigsRedacted = "{}"u8.ToArray(),
        ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
        Version = "test",
        StaticCollectors = [new("collector-0"), new("collector-1"), new("collector-2")],
        CompressBodies = compress,
    };

    /// <summary>Job <paramref name="job"/> at revision <paramref name="revision"/>: targets with poorly compressible labels.</summary>
    private static TargetGroup Group(int job, int revision, bool compress)
    {
        var random = new Random((job * 1000) + revision);
        var targets = Enumerable.Range(0, compress ? 160 : 40).Select(t =>
        {
            var address = $"10.{job}.{t}.{revision % 7}:9100";
            return new[] { new Label("__address__", address), new Label("pod_uid", Convert.ToHexString(BitConverter.GetBytes(random.NextInt64())) + new string('x', random.Next(50, 250))) };
        });
        return new TargetGroup("0", [.. targets], [new Label("env", "prod")]);
    }

    private static TargetPipeline Fed(bool compress, int[] revisions)
    {
        var pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
        pipeline.ApplyConfig(Config(compress));
        for (var j = 0; j < Jobs; j++)
        {
            pipeline.PublishGroups("job-" + j, "file_sd/0", Instance, [Group(j, revisions[j], compress)]);
        }

        pipeline.ProcessPending();
        return pipeline;
    }

    private static long ServedSlabBytes(ServingSnapshot snapshot) =>
        snapshot.Jobs.Values.SelectMany(v => v.ByCollector.Values).Where(b => b.Slab is not null).Sum(b => (long)b.Length);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Churn_KeepsSlabsNearTheLiveBytes_AndServesWhatAFreshPipelineServes(bool compress)
    {
        var revisions = new int[Jobs];
        var pipeline = Fed(compress, revisions);
        var arena = pipeline.Bodies;
        var random = new Random(3);
        for (var round = 1; round <= 60; round++)
        {
            // A third of the jobs change every round, one at a time or all at once.
            var changed = Enumerable.Range(0, Jobs).Where(_ => random.Next(3) == 0).ToList();
            foreach (var j in changed)
            {
                revisions[j] = round;
                pipeline.PublishGroups("job-" + j, "file_sd/0", Instance, [Group(j, round, compress)]);
                if (round % 2 == 0)
                {
                    pipeline.ProcessPending();
                }
            }

            pipeline.ProcessPending();

            // The arena's count of live bytes is exactly what the newest snapshot serves from slabs.
            Assert.Equal(ServedSlabBytes(pipeline.Current), arena.LiveBytes);
            Assert.True(
                arena.SlabBytes <= (arena.LiveBytes * 5 / 4) + (8L * arena.SlabSize),
                $"round {round}: {arena.SlabBytes} slab bytes for {arena.LiveBytes} live");
        }

        Assert.True(pipeline.BodiesMoved > 0, "churn never triggered compaction");

        var fresh = Fed(compress, revisions);
        foreach (var (job, view) in fresh.Current.Jobs)
        {
            foreach (var collector in fresh.Current.Collectors)
            {
                Assert.Equal(fresh.Current.TargetsFor(job, collector), pipeline.Current.TargetsFor(job, collector));
            }

            Assert.Equal(view.CollectorMap, pipeline.Current.Jobs[job].CollectorMap);
        }
    }

    [Fact]
    public void RemovingEveryJob_ReleasesEveryBody()
    {
        var pipeline = Fed(compress: false, new int[Jobs]);
        Assert.True(pipeline.Bodies.LiveBytes > 0);

        for (var j = 0; j < Jobs; j++)
        {
            pipeline.PublishGroups("job-" + j, "file_sd/0", Instance, [new TargetGroup("0", [], [])]);
        }

        pipeline.ProcessPending();

        Assert.Empty(pipeline.Current.Jobs);
        Assert.Equal(0, pipeline.Bodies.LiveBytes);
        Assert.Equal(0, pipeline.Bodies.SlabCount);
    }
}
