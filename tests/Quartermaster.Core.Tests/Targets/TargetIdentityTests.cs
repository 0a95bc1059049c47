using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using Quartermaster.Core.Targets;
using static Quartermaster.Core.Tests.Relabeling.TestLabels;

namespace Quartermaster.Core.Tests.Targets;

public sealed class TargetIdentityTests
{
    // upstream-ta.md §3.3, equal to the upstream HTML goldens.
    [Theory]
    [InlineData("test-value", "test-job", 11170662653441480747UL)]
    [InlineData("test-value2", "test-job", 5467859392755170604UL)]
    [InlineData("test-value2", "test-job2", 1641186170520627519UL)]
    [InlineData("test-value3", "test-job2", 14477087093029933912UL)]
    public void HashLabels_UpstreamVectors_Match(string value, string job, ulong expected) =>
        Assert.Equal(expected, TargetIdentity.HashLabels(Of("test_label", value), job));

    [Fact]
    public void Hash_MetaAndEmptyLabels_AreSkipped()
    {
        var plain = TargetIdentity.HashLabels(Of("test_label", "test-value"), "test-job");
        var withMeta = TargetIdentity.HashLabels(Of("test_label", "test-value", "__meta_x", "y", "empty", ""), "test-job");
        Assert.Equal(plain, withMeta);
    }

    [Fact]
    public void Hash_LongLabels_GrowBuffer()
    {
        var value = new string('v', 20_000);
        Assert.Equal(TargetIdentity.HashLabels(Of("a", value), "j"), TargetIdentity.HashLabels(Of("a", new string('v', 20_000)), "j"));
        Assert.NotEqual(TargetIdentity.HashLabels(Of("a", value), "j"), TargetIdentity.HashLabels(Of("a", value + "x"), "j"));
    }

    private static ScrapeConfig Job(string name, params RelabelConfig[] rules) => new()
    {
        JobName = name,
        ScrapeInterval = PromDuration.Parse("1m"),
        ScrapeTimeout = PromDuration.Parse("10s"),
        RelabelConfigs = rules,
    };

    [Theory]
    [InlineData("job-a", true, 5019948300941050491UL)]
    [InlineData("job-b", true, 8868997256156662818UL)]
    [InlineData("job-a", false, 7615156480970240249UL)]
    public void TryProcess_DerivedStaticTargetVectors_Match(string job, bool filtering, ulong expected)
    {
        var filter = new TargetFilter(Job(job), filtering);
        Assert.True(filter.TryProcess(Of("__address__", "10.0.0.1:9100"), new LabelsBuilder(), out var hash));
        Assert.Equal(expected, hash);
    }

    [Fact]
    public void TryProcess_SortedMergeMultitarget_UsesBuilderOrder()
    {
        var filter = new TargetFilter(
            Job("sorted-merge", new RelabelConfig { SourceLabels = ["__address__"], TargetLabel = "addr_copy" }),
            relabelFiltering: true);
        var scratch = new LabelsBuilder();
        Assert.True(filter.TryProcess(Of("__address__", "10.40.0.1:9100", "vendor", "acme"), scratch, out var hash));
        Assert.Equal(1606927830909530047UL, hash);

        // The same labels hashed in fully sorted order give the other upstream-documented value.
        Assert.Equal(7298172812853858978UL, TargetIdentity.HashLabels(scratch.Labels(), "sorted-merge"));
    }

    [Fact]
    public void TryProcess_TargetLabelsWinOverSeeds()
    {
        var filter = new TargetFilter(
            Job("j", new RelabelConfig { SourceLabels = ["__scheme__", "job"], Regex = "https;custom", Action = RelabelAction.Keep }),
            relabelFiltering: true);
        var scratch = new LabelsBuilder();
        Assert.True(filter.TryProcess(Of("__address__", "h:1", "__scheme__", "https", "job", "custom"), scratch, out _));
        Assert.False(filter.TryProcess(Of("__address__", "h:1"), scratch, out _));
    }

    [Fact]
    public void TryProcess_ParamsSeededInConfigOrder_FirstValueOnlyIfAbsent()
    {
        var config = Job("p");
        config.Params =
        [
            new("module", ["http_2xx", "other"]),
            new("target", ["x"]),
            new("empty", []),
        ];
        var filter = new TargetFilter(config, relabelFiltering: true);
        var scratch = new LabelsBuilder();
        Assert.True(filter.TryProcess(Of("__address__", "h:1", "__param_target", "y"), scratch, out _));
        Assert.Equal("http_2xx", scratch.Get("__param_module"));
        Assert.Equal("y", scratch.Get("__param_target"));
        Assert.Equal("", scratch.Get("__param_empty"));
    }

    [Fact]
    public void TryProcess_OperatorShardingRules_KeepTargetAndDropTemporaryLabel()
    {
        var filter = new TargetFilter(
            Job("sm",
                new RelabelConfig { SourceLabels = ["__address__"], TargetLabel = "__tmp_hash", Modulus = 1, Action = RelabelAction.HashMod },
                new RelabelConfig { SourceLabels = ["__tmp_hash", "__tmp_disable_sharding"], Regex = "$(SHARD);|.+;.+", Action = RelabelAction.Keep }),
            relabelFiltering: true);
        var scratch = new LabelsBuilder();
        Assert.True(filter.TryProcess(Of("__address__", "10.0.0.1:9100"), scratch, out _));
        Assert.Equal("", scratch.Get(TargetFilter.DisableShardingLabel));
        Assert.Equal("0", scratch.Get("__tmp_hash"));
    }

    [Fact]
    public void TryProcess_Dropped_ReturnsFalse()
    {
        var filter = new TargetFilter(
            Job("d", new RelabelConfig { SourceLabels = ["__address__"], Regex = ".*", Action = RelabelAction.Drop }),
            relabelFiltering: true);
        Assert.False(filter.TryProcess(Of("__address__", "h:1"), new LabelsBuilder(), out _));
    }

    [Fact]
    public void TryProcess_FilteringOff_IgnoresRulesAndSeeds()
    {
        var filter = new TargetFilter(
            Job("d", new RelabelConfig { SourceLabels = ["__address__"], Regex = ".*", Action = RelabelAction.Drop }),
            relabelFiltering: false);
        Assert.True(filter.TryProcess(Of("__address__", "h:1", "__meta_a", "b"), new LabelsBuilder(), out var hash));
        Assert.Equal(TargetIdentity.HashLabels(Of("__address__", "h:1"), "d"), hash);
    }
}
