using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Config;

/// <summary>
/// Parses a Prometheus configuration document (<c>global</c> and <c>scrape_configs</c>) given as text, with the same
/// defaults and validation as the <c>config:</c> block of <c>targetallocator.yaml</c>; used for generated configs.
/// </summary>
public static class PrometheusConfigText
{
    /// <summary>Parses <paramref name="yaml"/>; every problem is reported in <paramref name="errors"/>.</summary>
    /// <param name="yaml">The document.</param>
    /// <param name="sourceName">Names the document in syntax errors.</param>
    /// <param name="validateRelabel">Validates one relabel rule; returns an error message or null.</param>
    /// <param name="supportedMechanisms">SD keys accepted; null accepts the allocator's defaults.</param>
    /// <param name="errors">Errors, prefixed with the path of the offending key (<c>scrape_configs[2].…</c>).</param>
    /// <param name="warnings">Non-fatal findings such as unknown keys.</param>
    public static PrometheusConfig Parse(
        string yaml,
        string sourceName,
        Func<RelabelConfig, string?>? validateRelabel,
        IReadOnlySet<string>? supportedMechanisms,
        out IReadOnlyList<string> errors,
        out IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        YamlDotNet.RepresentationModel.YamlNode? root;
        try
        {
            root = TargetAllocatorConfigLoader.ParseYaml(yaml, sourceName);
        }
        catch (ConfigException ex)
        {
            errors = ex.Errors;
            warnings = [];
            return new PrometheusConfig();
        }

        var reader = new YamlReader();
        var config = root is null
            ? new PrometheusConfig()
            : new PrometheusConfigParser(reader, validateRelabel, supportedMechanisms ?? TargetAllocatorConfigLoader.DefaultSupportedMechanisms)
                .Parse(root, "");
        errors = reader.Errors;
        warnings = reader.Warnings;
        return config;
    }
}
