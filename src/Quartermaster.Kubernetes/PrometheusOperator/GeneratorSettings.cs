using System.Text.Json;
using Quartermaster.Core.Config;
using YamlDotNet.Core;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// What the scrape config generator takes from <c>prometheus_cr</c>: the settings upstream puts on the synthetic
/// Prometheus object it hands to prometheus-operator's generator.
/// </summary>
public sealed record GeneratorSettings
{
    public PromDuration ScrapeInterval { get; init; } = PromDuration.FromSeconds(30);

    public PromDuration EvaluationInterval { get; init; }

    public IReadOnlyList<string> ScrapeProtocols { get; init; } = PrometheusCrConfig.DefaultScrapeProtocols;

    public IReadOnlyList<ScrapeClass> ScrapeClasses { get; init; } = [];

    /// <summary>The namespace of the synthetic Prometheus object.</summary>
    public string CollectorNamespace { get; init; } = "";

    /// <summary>Drop generated jobs that read credentials or TLS material from the allocator's file system.</summary>
    public bool DenyFsAccessThroughSms { get; init; }

    public OperatorGeneration OperatorGeneration { get; init; } = OperatorGeneration.Current;

    /// <summary>Set on every generated <c>kubernetes_sd_configs</c> entry after parsing, as upstream does (<c>""</c> in cluster).</summary>
    public string KubeconfigFile { get; init; } = "";

    /// <summary>The settings of <paramref name="config"/>'s <c>prometheus_cr</c> block.</summary>
    /// <exception cref="ConfigException"><c>scrape_classes</c> cannot be decoded or names several default classes.</exception>
    public static GeneratorSettings FromConfig(TargetAllocatorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var cr = config.PrometheusCr;
        return new GeneratorSettings
        {
            ScrapeInterval = cr.ScrapeInterval,
            EvaluationInterval = cr.EvaluationInterval,
            ScrapeProtocols = cr.ScrapeProtocols,
            ScrapeClasses = ParseScrapeClasses(cr.ScrapeClassesYaml),
            CollectorNamespace = config.CollectorNamespace,
            DenyFsAccessThroughSms = cr.DenyFsAccessThroughSms,
            OperatorGeneration = cr.OperatorGeneration == PrometheusCrConfig.OperatorGenerationV078
                ? OperatorGeneration.V078
                : OperatorGeneration.Current,
        };
    }

    /// <summary>Decodes the YAML text of <c>prometheus_cr.scrape_classes</c> (a list; null or empty gives none).</summary>
    /// <exception cref="ConfigException">A class cannot be decoded, two share a name, or several are the default.</exception>
    public static IReadOnlyList<ScrapeClass> ParseScrapeClasses(string? yaml)
    {
        const string path = "prometheus_cr.scrape_classes";
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return [];
        }

        JsonElement? root;
        try
        {
            root = YamlJson.Parse(yaml);
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{path}: {ex.Message}");
        }

        if (root is not { } list)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new ConfigException($"{path}: expected a list");
        }

        var errors = new List<string>();
        var classes = new List<ScrapeClass>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPath = Spec.Index(path, i++);
            try
            {
                var sc = ScrapeClass.FromJson(item, itemPath);
                if (classes.Exists(c => c.Name == sc.Name))
                {
                    errors.Add($"{itemPath}.name: duplicate scrape class name {JsonSerializer.Serialize(sc.Name)}");
                }

                classes.Add(sc);
            }
            catch (ResourceInvalidException ex)
            {
                errors.Add(ex.Message);
            }
        }

        if (classes.Count(c => c.Default) > 1)
        {
            errors.Add($"{path}: failed to validate scrape classes: multiple default scrape classes defined");
        }

        return errors.Count > 0 ? throw new ConfigException(errors) : classes;
    }
}
