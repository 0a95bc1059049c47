using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;

namespace Quartermaster.Benchmarks;

/// <summary>
/// Upstream's benchmark data shape (spec upstream-ta.md §9.1, go-baseline.md §2): 5 targets per group, 20 groups per
/// job, 17 group labels including a ~400-byte annotation, 24 Kubernetes-style target labels plus a unique
/// <c>target_id</c>. Each target also gets its own <c>__address__</c> (go-baseline's unique-address variant) so the
/// consistent-hashing ring spreads them the way real targets spread.
/// </summary>
public static class Workload
{
    public const int TargetsPerGroup = 5;
    public const int GroupsPerJob = 20;

    private static readonly string Annotation = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"my-app\",\"release\":\"prometheus\"},\"name\":\"my-app\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"prom\",\"port\":9090,\"protocol\":\"TCP\",\"targetPort\":9090}],\"selector\":{\"app\":\"my-app\"},\"sessionAffinity\":\"None\",\"type\":\"ClusterIP\"},\"status\":{\"loadBalancer\":{}}}\n";

    public static string JobName(int job) => $"test-job-{job}";

    /// <summary>The jobs, each with its groups as <c>static_configs</c> (provider key <c>static</c>).</summary>
    public static IReadOnlyList<ScrapeConfig> Jobs(IReadOnlyList<TargetGroup>[] groups, bool keepDropRules) =>
        [.. Enumerable.Range(0, groups.Length).Select(j => new ScrapeConfig
        {
            JobName = JobName(j),
            StaticConfigs = groups[j],
            ScrapeInterval = PromDuration.FromSeconds(30),
            ScrapeTimeout = PromDuration.FromSeconds(10),
            RelabelConfigs = keepDropRules
                ? [new Core.Relabeling.RelabelConfig
                {
                    SourceLabels = ["__address__"],
                    Regex = ".*",
                    Action = j % 2 == 0 ? Core.Relabeling.RelabelAction.Keep : Core.Relabeling.RelabelAction.Drop,
                }]
                : [],
        })];

    /// <summary>The groups of every job: <c>result[job]</c> is that job's 20 groups.</summary>
    public static IReadOnlyList<TargetGroup>[] Groups(int targets)
    {
        var jobs = Math.Max(1, targets / (TargetsPerGroup * GroupsPerJob));
        var result = new IReadOnlyList<TargetGroup>[jobs];
        var id = 0;
        for (var j = 0; j < jobs; j++)
        {
            var groups = new List<TargetGroup>(GroupsPerJob);
            for (var g = 0; g < GroupsPerJob; g++)
            {
                var groupLabels = LabelSets.FromUnsorted(
                [
                    new("__address__", $"10.{g}.{j & 255}.1:9090"),
                    new("__meta_kubernetes_namespace", "default"),
                    new("__meta_kubernetes_service_annotation_kubectl_kubernetes_io_last_applied_configuration", Annotation),
                    new("__meta_kubernetes_service_annotationpresent_kubectl_kubernetes_io_last_applied_configuration", "true"),
                    new("__meta_kubernetes_service_label_app", "my-app"),
                    new("__meta_kubernetes_service_label_release", "prometheus"),
                    new("__meta_kubernetes_service_labelpresent_app", "true"),
                    new("__meta_kubernetes_service_labelpresent_release", "true"),
                    new("__meta_kubernetes_service_name", "my-app"),
                    new("__meta_kubernetes_service_type", "ClusterIP"),
                    new("__meta_kubernetes_service_cluster_ip", $"10.96.{j & 255}.{g}"),
                    new("__meta_kubernetes_service_port_name", "prom"),
                    new("__meta_kubernetes_service_port_number", "9090"),
                    new("__meta_kubernetes_service_port_protocol", "TCP"),
                    new("__meta_kubernetes_endpointslice_name", $"my-app-{j}-{g}"),
                    new("__meta_kubernetes_endpointslice_address_type", "IPv4"),
                    new("somelabel", "somevalue"),
                ]);
                var groupTargets = new List<Label[]>(TargetsPerGroup);
                for (var t = 0; t < TargetsPerGroup; t++, id++)
                {
                    groupTargets.Add(LabelSets.FromUnsorted(
                    [
                        new("__address__", $"10.{(id >> 16) & 255}.{(id >> 8) & 255}.{id & 255}:9006"),
                        new("__meta_kubernetes_endpointslice_address_target_kind", "Pod"),
                        new("__meta_kubernetes_endpointslice_address_target_name", $"my-app-pod-{id}"),
                        new("__meta_kubernetes_endpointslice_endpoint_conditions_ready", "true"),
                        new("__meta_kubernetes_endpointslice_endpoint_conditions_serving", "true"),
                        new("__meta_kubernetes_endpointslice_endpoint_conditions_terminating", "false"),
                        new("__meta_kubernetes_endpointslice_endpoint_node_name", $"node-{id % 50}"),
                        new("__meta_kubernetes_endpointslice_port", "9090"),
                        new("__meta_kubernetes_endpointslice_port_name", "prom"),
                        new("__meta_kubernetes_endpointslice_port_protocol", "TCP"),
                        new("__meta_kubernetes_pod_container_image", "quay.io/prometheus-operator/prometheus-operator:v0.65.2"),
                        new("__meta_kubernetes_pod_container_name", "app"),
                        new("__meta_kubernetes_pod_container_port_name", "prom"),
                        new("__meta_kubernetes_pod_container_port_number", "9090"),
                        new("__meta_kubernetes_pod_container_port_protocol", "TCP"),
                        new("__meta_kubernetes_pod_controller_kind", "ReplicaSet"),
                        new("__meta_kubernetes_pod_controller_name", "my-app-5d9c7b"),
                        new("__meta_kubernetes_pod_host_ip", $"192.168.{(id >> 8) & 255}.{id & 255}"),
                        new("__meta_kubernetes_pod_ip", $"10.244.{(id >> 8) & 255}.{id & 255}"),
                        new("__meta_kubernetes_pod_label_app", "my-app"),
                        new("__meta_kubernetes_pod_labelpresent_app", "true"),
                        new("__meta_kubernetes_pod_name", $"my-app-pod-{id}"),
                        new("__meta_kubernetes_pod_node_name", $"node-{id % 50}"),
                        new("__meta_kubernetes_pod_phase", "Running"),
                        new("__meta_kubernetes_pod_ready", "true"),
                        new("target_id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ]));
                }

                groups.Add(new TargetGroup(g.ToString(System.Globalization.CultureInfo.InvariantCulture), groupTargets, groupLabels));
            }

            result[j] = groups;
        }

        return result;
    }
}
