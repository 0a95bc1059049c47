namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// The scrape configs generated from a set of resources: a YAML document <c>scrape_configs: […]</c>, the resources
/// rejected (each alone, with its reason) and the Secret and ConfigMap keys the generated jobs inline.
/// </summary>
public sealed record GenerationResult(string ScrapeConfigsYaml, IReadOnlyList<ResourceRejection> Rejected, IReadOnlyList<AssetReference> AssetsUsed)
{
    /// <summary>Each generated job with the resource it came from, in document order.</summary>
    public IReadOnlyList<GeneratedJob> Jobs { get; init; } = [];
}

/// <summary>One generated job: its name, the resource it came from, and its YAML (a one-item <c>scrape_configs</c> document).</summary>
public sealed record GeneratedJob(string JobName, MonitoringKind Kind, string Namespace, string Name, string Yaml);

/// <summary>Generated jobs after Prometheus' parsing: the jobs kept, and the resources whose jobs were dropped.</summary>
public sealed record ParsedJobs(
    IReadOnlyList<Quartermaster.Core.Config.ScrapeConfig> Jobs,
    IReadOnlyList<ResourceRejection> Rejected,
    IReadOnlyList<string> Warnings);
