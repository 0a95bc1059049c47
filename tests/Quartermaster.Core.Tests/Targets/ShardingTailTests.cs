using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Targets;

/// <summary>Every generation of prometheus-operator's sharding tail keeps the target (spec prometheus.md §5.3).</summary>
public class ShardingTailTests
{
    private static readonly Label[] Target =
    [
        new("__address__", "10.244.0.6:8080"),
        new("__meta_kubernetes_endpointslice_port_name", "prom"),
        new("__meta_kubernetes_namespace", "default"),
        new("__meta_kubernetes_service_label_app", "my-app"),
        new("__meta_kubernetes_service_labelpresent_app", "true"),
    ];

    private static RelabelConfig R(string action, string[]? sources = null, string? regex = null, string target = "", string replacement = "$1", ulong modulus = 0) => new()
    {
        Action = Enum.Parse<RelabelAction>(action, ignoreCase: true),
        SourceLabels = sources ?? [],
        Regex = regex,
        TargetLabel = target,
        Replacement = replacement,
        Modulus = modulus,
    };

    private static RelabelConfig[] Head =>
    [
        R("replace", ["job"], "(.*)", "__tmp_prometheus_job_name"),
        R("keep", ["__meta_kubernetes_service_label_app", "__meta_kubernetes_service_labelpresent_app"], "(my-app);true"),
        R("keep", ["__meta_kubernetes_endpointslice_port_name"], "prom"),
        R("replace", ["__meta_kubernetes_namespace"], "(.*)", "namespace"),
    ];

    public static TheoryData<string, RelabelConfig[]> Tails => new()
    {
        {
            "v0.61-v0.78 (seed document)",
            [R("hashmod", ["__address__"], "(.*)", "__tmp_hash", modulus: 1), R("keep", ["__tmp_hash"], "$(SHARD)")]
        },
        {
            "v0.79-v0.82",
            [
                R("replace", ["__address__", "__tmp_hash"], "(.+);", "__tmp_hash"),
                R("hashmod", ["__tmp_hash"], target: "__tmp_hash", modulus: 1),
                R("keep", ["__tmp_hash"], "$(SHARD)"),
            ]
        },
        {
            "v0.83+",
            [
                R("replace", ["__address__", "__tmp_hash"], "(.+);", "__tmp_hash"),
                R("hashmod", ["__tmp_hash"], target: "__tmp_hash", modulus: 1),
                R("keep", ["__tmp_hash", "__tmp_disable_sharding"], "$(SHARD);|.+;.+"),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Tails))]
    public void OperatorShardingTail_KeepsTheTarget(string generation, RelabelConfig[] tail)
    {
        var filter = new TargetFilter(new ScrapeConfig
        {
            JobName = "serviceMonitor/default/my-app/0",
            ScrapeInterval = PromDuration.FromSeconds(30),
            ScrapeTimeout = PromDuration.FromSeconds(10),
            RelabelConfigs = [.. Head, .. tail],
        }, relabelFiltering: true);

        Assert.True(filter.TryProcess(Target, new LabelsBuilder(), out _), generation);
    }

    [Fact]
    public void OperatorShardingTail_OtherAppIsStillDropped()
    {
        var filter = new TargetFilter(new ScrapeConfig
        {
            JobName = "j",
            RelabelConfigs = [R("keep", ["__meta_kubernetes_service_label_app"], "other"), R("hashmod", ["__address__"], "(.*)", "__tmp_hash", modulus: 1), R("keep", ["__tmp_hash"], "$(SHARD)")],
        }, relabelFiltering: true);

        Assert.False(filter.TryProcess(Target, new LabelsBuilder(), out _));
    }

    [Fact]
    public void SubstituteShard_LeavesOtherRulesUntouched()
    {
        var rule = R("keep", ["a"], "x");

        Assert.Same(rule, TargetFilter.SubstituteShard(rule));
        Assert.Equal("0;|.+;.+", TargetFilter.SubstituteShard(R("keep", ["a"], "$(SHARD);|.+;.+")).Regex);
    }
}
