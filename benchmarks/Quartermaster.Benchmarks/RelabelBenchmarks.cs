using System.Globalization;
using BenchmarkDotNet.Attributes;
using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using Quartermaster.Core.Targets;

namespace Quartermaster.Benchmarks;

/// <summary>
/// <see cref="TargetFilter.TryProcess"/> over 10k targets shaped like the upstream <c>BenchmarkProcessTargets</c>
/// input (upstream-ta.md §9.1: ~41 labels per target, mostly <c>__meta_kubernetes_*</c>). Results are per target.
/// </summary>
[MemoryDiagnoser]
public class RelabelBenchmarks
{
    public const int TargetCount = 10_000;

    private Label[][] _targets = [];
    private TargetFilter _filter = null!;
    private LabelsBuilder _scratch = null!;

    public enum Rules
    {
        None,
        OneKeep,
        OneReplace,
        ReplaceNoMatch,
        LabelMap,
        ServiceMonitor,
    }

    [Params(Rules.None, Rules.OneKeep, Rules.OneReplace, Rules.ReplaceNoMatch, Rules.LabelMap, Rules.ServiceMonitor)]
    public Rules Scenario { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _targets = new Label[TargetCount][];
        for (var i = 0; i < TargetCount; i++)
        {
            _targets[i] = MakeTarget(i);
        }

        var config = new ScrapeConfig
        {
            JobName = "serviceMonitor/default/my-app/0",
            ScrapeInterval = PromDuration.Parse("30s"),
            ScrapeTimeout = PromDuration.Parse("10s"),
            RelabelConfigs = Scenario switch
            {
                Rules.None => [],
                Rules.OneKeep => [new RelabelConfig { SourceLabels = ["__address__"], Regex = ".*", Action = RelabelAction.Keep }],
                Rules.OneReplace => [new RelabelConfig { SourceLabels = ["__meta_kubernetes_namespace"], TargetLabel = "namespace" }],
                Rules.ReplaceNoMatch => [new RelabelConfig { SourceLabels = ["__meta_kubernetes_pod_phase"], Regex = "(Failed|Succeeded)", TargetLabel = "phase" }],
                Rules.LabelMap => [new RelabelConfig { Regex = "__meta_kubernetes_pod_label_(.+)", Action = RelabelAction.LabelMap }],
                _ => ServiceMonitorRules(),
            },
        };
        _filter = new TargetFilter(config, relabelFiltering: true);
        _scratch = new LabelsBuilder();

        // Every scenario keeps every target; a rule typo would otherwise benchmark the drop path.
        foreach (var target in _targets)
        {
            if (!_filter.TryProcess(target, _scratch, out _))
            {
                throw new InvalidOperationException($"scenario {Scenario} dropped a target");
            }
        }
    }

    [Benchmark(OperationsPerInvoke = TargetCount)]
    public ulong TryProcess()
    {
        ulong acc = 0;
        foreach (var target in _targets)
        {
            if (_filter.TryProcess(target, _scratch, out var hash))
            {
                acc ^= hash;
            }
        }

        return acc;
    }

    /// <summary>As <see cref="TryProcess"/> over targets <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/>.</summary>
    public ulong TryProcess(int start, int count)
    {
        ulong acc = 0;
        foreach (var target in _targets.AsSpan(start, count))
        {
            if (_filter.TryProcess(target, _scratch, out var hash))
            {
                acc ^= hash;
            }
        }

        return acc;
    }

    // The seed document's prometheus-operator ServiceMonitor rules (endpointslice role), with the current operator's
    // sharding tail (hashmod + keep on __tmp_disable_sharding) in place of the old `keep $(SHARD)` rule, which the
    // upstream TA would otherwise use to drop every target.
    internal static RelabelConfig[] ServiceMonitorRules() =>
    [
        new() { SourceLabels = ["job"], TargetLabel = "__tmp_prometheus_job_name", Regex = "(.*)" },
        new()
        {
            SourceLabels = ["__meta_kubernetes_service_label_app", "__meta_kubernetes_service_labelpresent_app"],
            Regex = "(my-app);true", Action = RelabelAction.Keep,
        },
        new() { SourceLabels = ["__meta_kubernetes_endpointslice_port_name"], Regex = "prom", Action = RelabelAction.Keep },
        new()
        {
            SourceLabels = ["__meta_kubernetes_endpointslice_address_target_kind", "__meta_kubernetes_endpointslice_address_target_name"],
            Regex = "Node;(.*)", Replacement = "${1}", TargetLabel = "node",
        },
        new()
        {
            SourceLabels = ["__meta_kubernetes_endpointslice_address_target_kind", "__meta_kubernetes_endpointslice_address_target_name"],
            Regex = "Pod;(.*)", Replacement = "${1}", TargetLabel = "pod",
        },
        new() { SourceLabels = ["__meta_kubernetes_namespace"], TargetLabel = "namespace", Regex = "(.*)" },
        new() { SourceLabels = ["__meta_kubernetes_service_name"], TargetLabel = "service", Regex = "(.*)" },
        new() { SourceLabels = ["__meta_kubernetes_pod_name"], TargetLabel = "pod", Regex = "(.*)" },
        new() { SourceLabels = ["__meta_kubernetes_pod_container_name"], TargetLabel = "container", Regex = "(.*)" },
        new() { SourceLabels = ["__meta_kubernetes_pod_phase"], Regex = "(Failed|Succeeded)", Action = RelabelAction.Drop },
        new() { SourceLabels = ["__meta_kubernetes_service_name"], TargetLabel = "job", Regex = "(.*)", Replacement = "${1}" },
        new() { TargetLabel = "endpoint", Regex = "(.*)", Replacement = "prom" },
        new() { SourceLabels = ["__address__", "__tmp_hash"], TargetLabel = "__tmp_hash", Regex = "(.+);", Replacement = "$1" },
        new() { SourceLabels = ["__tmp_hash"], TargetLabel = "__tmp_hash", Modulus = 1, Action = RelabelAction.HashMod },
        new() { SourceLabels = ["__tmp_hash", "__tmp_disable_sharding"], Regex = "$(SHARD);|.+;.+", Action = RelabelAction.Keep },
    ];

    private static Label[] MakeTarget(int i)
    {
        var s = i.ToString(CultureInfo.InvariantCulture);
        var group = i / 5;
        var g = group.ToString(CultureInfo.InvariantCulture);
        var labels = new List<Label>
        {
            new("__address__", $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}:8080"),
            new("target_id", s),
            new("somelabel", "somevalue"),
            new("__meta_kubernetes_namespace", "default"),
            new("__meta_kubernetes_endpointslice_name", "my-app-" + g),
            new("__meta_kubernetes_endpointslice_label_kubernetes_io_service_name", "my-app"),
            new("__meta_kubernetes_endpointslice_labelpresent_kubernetes_io_service_name", "true"),
            new("__meta_kubernetes_endpointslice_label_endpointslice_kubernetes_io_managed_by", "endpointslice-controller.k8s.io"),
            new("__meta_kubernetes_endpointslice_labelpresent_endpointslice_kubernetes_io_managed_by", "true"),
            new("__meta_kubernetes_endpointslice_annotation_endpoints_kubernetes_io_last_change_trigger_time", "2023-09-27T16:01:29Z"),
            new("__meta_kubernetes_endpointslice_annotationpresent_endpoints_kubernetes_io_last_change_trigger_time", "true"),
            new("__meta_kubernetes_endpointslice_address_type", "IPv4"),
            new("__meta_kubernetes_endpointslice_address_target_kind", "Pod"),
            new("__meta_kubernetes_endpointslice_address_target_name", "my-app-pod-" + s),
            new("__meta_kubernetes_endpointslice_endpoint_conditions_ready", "true"),
            new("__meta_kubernetes_endpointslice_endpoint_conditions_serving", "true"),
            new("__meta_kubernetes_endpointslice_endpoint_conditions_terminating", "false"),
            new("__meta_kubernetes_endpointslice_endpoint_node_name", "node-" + (i % 50).ToString(CultureInfo.InvariantCulture)),
            new("__meta_kubernetes_endpointslice_endpoint_zone", "us-east-1a"),
            new("__meta_kubernetes_endpointslice_port", "8080"),
            new("__meta_kubernetes_endpointslice_port_name", "prom"),
            new("__meta_kubernetes_endpointslice_port_protocol", "TCP"),
            new("__meta_kubernetes_pod_name", "my-app-pod-" + s),
            new("__meta_kubernetes_pod_ip", "10.1.0." + (i & 255).ToString(CultureInfo.InvariantCulture)),
            new("__meta_kubernetes_pod_label_app", "my-app"),
            new("__meta_kubernetes_pod_labelpresent_app", "true"),
            new("__meta_kubernetes_pod_label_pod_template_hash", "5d8f7c9b6"),
            new("__meta_kubernetes_pod_labelpresent_pod_template_hash", "true"),
            new("__meta_kubernetes_pod_container_name", "app"),
            new("__meta_kubernetes_pod_container_image", "registry.example.com/my-app:1.2.3"),
            new("__meta_kubernetes_pod_container_port_name", "prom"),
            new("__meta_kubernetes_pod_container_port_number", "8080"),
            new("__meta_kubernetes_pod_container_port_protocol", "TCP"),
            new("__meta_kubernetes_pod_node_name", "node-" + (i % 50).ToString(CultureInfo.InvariantCulture)),
            new("__meta_kubernetes_pod_phase", "Running"),
            new("__meta_kubernetes_pod_ready", "true"),
            new("__meta_kubernetes_pod_uid", "6f1c1a2e-0000-4000-8000-" + i.ToString("D12", CultureInfo.InvariantCulture)),
            new("__meta_kubernetes_service_name", "my-app"),
            new("__meta_kubernetes_service_label_app", "my-app"),
            new("__meta_kubernetes_service_labelpresent_app", "true"),
            new("__meta_kubernetes_service_annotation_kubectl_kubernetes_io_last_applied_configuration", LastApplied),
            new("__meta_kubernetes_service_annotationpresent_kubectl_kubernetes_io_last_applied_configuration", "true"),
        };
        labels.Sort(static (a, b) => LabelNames.Compare(a.Name, b.Name));
        return [.. labels];
    }

    private const string LastApplied =
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"my-app\"}," +
        "\"name\":\"my-app\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"prom\",\"port\":8080," +
        "\"protocol\":\"TCP\",\"targetPort\":8080}],\"selector\":{\"app\":\"my-app\"},\"sessionAffinity\":\"None\"," +
        "\"type\":\"ClusterIP\"},\"status\":{\"loadBalancer\":{}}}";
}
