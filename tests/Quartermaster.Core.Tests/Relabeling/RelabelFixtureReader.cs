using System.Text.Json;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Core.Tests.Relabeling;

/// <summary>
/// Reads just what the relabel conformance fixtures use from a Prometheus config (job_name, scrape_interval/timeout,
/// metrics_path, scheme, params, static_configs, relabel_configs), with Prometheus' defaults. Not a config parser.
/// </summary>
internal static class RelabelFixtureReader
{
    private static readonly PromDuration GlobalInterval = PromDuration.Parse("1m");
    private static readonly PromDuration GlobalTimeout = PromDuration.Parse("10s");

    public static List<ScrapeConfig> ReadScrapeConfigs(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var result = new List<ScrapeConfig>();
        foreach (var node in (YamlSequenceNode)root["scrape_configs"])
        {
            result.Add(ReadScrapeConfig((YamlMappingNode)node));
        }

        return result;
    }

    public static List<GoldenTarget> ReadGolden(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new List<GoldenTarget>();
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            result.Add(new GoldenTarget(ToMap(entry.GetProperty("discoveredLabels")), ToMap(entry.GetProperty("labels"))));
        }

        return result;
    }

    private static SortedDictionary<string, string> ToMap(JsonElement element)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                map[property.Name] = property.Value.GetString() ?? "";
            }
        }

        return map;
    }

    private static ScrapeConfig ReadScrapeConfig(YamlMappingNode node)
    {
        var interval = Scalar(node, "scrape_interval") is { } i ? PromDuration.Parse(i) : GlobalInterval;
        var timeout = Scalar(node, "scrape_timeout") is { } t
            ? PromDuration.Parse(t)
            : (GlobalTimeout > interval ? interval : GlobalTimeout);
        var config = new ScrapeConfig
        {
            JobName = Scalar(node, "job_name") ?? throw new InvalidDataException("job_name is required"),
            ScrapeInterval = interval,
            ScrapeTimeout = timeout,
            MetricsPath = Scalar(node, "metrics_path") ?? "/metrics",
            Scheme = Scalar(node, "scheme") ?? "http",
        };

        if (Child(node, "params") is YamlMappingNode parameters)
        {
            var list = new List<KeyValuePair<string, IReadOnlyList<string>>>();
            foreach (var (key, value) in parameters.Children)
            {
                list.Add(new(((YamlScalarNode)key).Value!, ((YamlSequenceNode)value).Select(v => ((YamlScalarNode)v).Value ?? "").ToList()));
            }

            config.Params = list;
        }

        if (Child(node, "static_configs") is YamlSequenceNode statics)
        {
            var groups = new List<TargetGroup>();
            foreach (var groupNode in statics.Cast<YamlMappingNode>())
            {
                var targets = ((YamlSequenceNode)groupNode["targets"])
                    .Select(t => new[] { new Label("__address__", ((YamlScalarNode)t).Value!) })
                    .ToList();
                var labels = Child(groupNode, "labels") is YamlMappingNode labelMap
                    ? labelMap.Children.Select(kv => new Label(((YamlScalarNode)kv.Key).Value!, ((YamlScalarNode)kv.Value).Value ?? ""))
                        .OrderBy(l => l.Name, Comparer<string>.Create(LabelNames.Compare))
                        .ToArray()
                    : [];
                groups.Add(new TargetGroup(groups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), targets, labels));
            }

            config.StaticConfigs = groups;
        }

        if (Child(node, "relabel_configs") is YamlSequenceNode rules)
        {
            config.RelabelConfigs = rules.Cast<YamlMappingNode>().Select(ReadRule).ToList();
        }

        return config;
    }

    private static RelabelConfig ReadRule(YamlMappingNode node)
    {
        string? regex = null;
        if (Child(node, "regex") is YamlScalarNode regexNode)
        {
            // An explicit YAML null is the empty regex, not the default (prometheus.md §1.1).
            regex = IsNull(regexNode) ? "" : regexNode.Value ?? "";
        }

        return new RelabelConfig
        {
            SourceLabels = Child(node, "source_labels") is YamlSequenceNode sources
                ? sources.Select(s => ((YamlScalarNode)s).Value ?? "").ToList()
                : [],
            Separator = Scalar(node, "separator") ?? ";",
            Regex = regex,
            Modulus = Scalar(node, "modulus") is { } modulus ? ulong.Parse(modulus, System.Globalization.CultureInfo.InvariantCulture) : 0,
            TargetLabel = Scalar(node, "target_label") ?? "",
            Replacement = Scalar(node, "replacement") ?? "$1",
            Action = ParseAction(Scalar(node, "action") ?? "replace"),
        };
    }

    private static RelabelAction ParseAction(string text)
    {
        foreach (var action in Enum.GetValues<RelabelAction>())
        {
            if (string.Equals(RelabelConfig.ActionName(action), text.ToLowerInvariant(), StringComparison.Ordinal))
            {
                return action;
            }
        }

        throw new InvalidDataException($"unknown relabel action \"{text}\"");
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) =>
        Child(node, key) is YamlScalarNode scalar && !IsNull(scalar) ? scalar.Value : null;

    private static bool IsNull(YamlScalarNode node) =>
        node.Style == YamlDotNet.Core.ScalarStyle.Plain && node.Value is null or "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record GoldenTarget(SortedDictionary<string, string> DiscoveredLabels, SortedDictionary<string, string> Labels)
{
    public bool Kept => Labels.Count > 0;
}
