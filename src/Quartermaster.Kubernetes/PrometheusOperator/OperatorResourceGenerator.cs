namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>The <see cref="ResourceGenerator"/> of the watcher: <see cref="ScrapeConfigGenerator"/> run on one resource, then parsed as Prometheus parses it.</summary>
public static class OperatorResourceGenerator
{
    public static ResourceGenerator For(GeneratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return (resource, assets) =>
        {
            var result = ScrapeConfigGenerator.Generate([resource], settings, assets);
            if (result.Rejected.Count > 0)
            {
                return new ResourceOutput([], result.Rejected[0], result.AssetsUsed);
            }

            var parsed = ScrapeConfigGenerator.ParseJobs(result, settings);
            return parsed.Rejected.Count > 0
                ? new ResourceOutput([], parsed.Rejected[0], result.AssetsUsed)
                : new ResourceOutput(parsed.Jobs, null, result.AssetsUsed);
        };
    }
}
