using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// What one resource generates: its jobs, or why it is rejected, and the Secret and ConfigMap keys it read.
/// </summary>
public sealed record ResourceOutput(IReadOnlyList<ScrapeConfig> Jobs, ResourceRejection? Rejection, IReadOnlyList<AssetReference> AssetsUsed)
{
    public static ResourceOutput Rejected(MonitoringResource resource, string reason)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return new([], new ResourceRejection(resource.Kind, resource.Namespace, resource.Name, reason), []);
    }
}

/// <summary>Generates the jobs of one resource, reading referenced values from <paramref name="assets"/>.</summary>
public delegate ResourceOutput ResourceGenerator(MonitoringResource resource, IAssetStore assets);
