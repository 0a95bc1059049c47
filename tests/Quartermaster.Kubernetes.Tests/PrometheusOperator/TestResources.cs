using System.Text.Json;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.PrometheusOperator;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Kubernetes.Tests.PrometheusOperator;

/// <summary>Reads test resources, assets and settings written as Kubernetes YAML.</summary>
internal static class TestResources
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static List<MonitoringResource> Resources(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var result = new List<MonitoringResource>();
        foreach (var doc in stream.Documents)
        {
            var text = new YamlStream(new YamlDocument(doc.RootNode));
            using var writer = new StringWriter();
            text.Save(writer, assignAnchors: false);
            var json = YamlJson.Parse(writer.ToString())!.Value;
            var kind = Enum.Parse<MonitoringKind>(json.GetProperty("kind").GetString()!);
            var meta = json.GetProperty("metadata");
            var labels = new Dictionary<string, string>();
            if (meta.TryGetProperty("labels", out var l))
            {
                foreach (var p in l.EnumerateObject())
                {
                    labels[p.Name] = p.Value.GetString()!;
                }
            }

            result.Add(new MonitoringResource(
                kind,
                meta.GetProperty("namespace").GetString()!,
                meta.GetProperty("name").GetString()!,
                labels,
                json.TryGetProperty("spec", out var spec) ? spec : JsonDocument.Parse("{}").RootElement));
        }

        return result;
    }

    /// <summary><c>[{kind: Secret|ConfigMap, namespace, name, data: {key: value}}]</c>.</summary>
    public static FakeAssetStore Assets(string? yaml)
    {
        var store = new FakeAssetStore();
        if (yaml is null)
        {
            return store;
        }

        foreach (var item in YamlJson.Parse(yaml)!.Value.EnumerateArray())
        {
            var kind = Enum.Parse<AssetKind>(item.GetProperty("kind").GetString()!);
            foreach (var p in item.GetProperty("data").EnumerateObject())
            {
                store.Add(new AssetReference(kind, item.GetProperty("namespace").GetString()!, item.GetProperty("name").GetString()!, p.Name), p.Value.GetString()!);
            }
        }

        return store;
    }

    /// <summary>Settings from a <c>prometheus_cr</c> block body, loaded through the allocator's config loader.</summary>
    public static GeneratorSettings Settings(string? prometheusCrYaml)
    {
        var body = "  enabled: true\n" + string.Join('\n', (prometheusCrYaml ?? "").Split('\n').Select(l => "  " + l)) + "\n";
        var config = TargetAllocatorConfigLoader.Load(
            "collector_namespace: monitoring\nprometheus_cr:\n" + body, "test", _ => null, new ConfigOverrides());
        return GeneratorSettings.FromConfig(config);
    }

    /// <summary>A Prometheus <c>scrape_configs</c> document parsed under the generator's global section.</summary>
    public static IReadOnlyList<ScrapeConfig> ParseExpected(string yaml, GeneratorSettings settings)
    {
        var config = PrometheusConfigText.Parse(ScrapeConfigGenerator.GlobalSection(settings) + yaml, "expected", null, null, out var errors, out _);
        Assert.Empty(errors);
        foreach (var sc in config.ScrapeConfigs)
        {
            foreach (var k in sc.KubernetesSdConfigs)
            {
                k.KubeconfigFile = settings.KubeconfigFile;
            }
        }

        return config.ScrapeConfigs;
    }

    /// <summary>Each job as indented JSON with sorted keys, as <c>/scrape_configs</c> serves it (secrets revealed).</summary>
    public static List<string> Json(IReadOnlyList<ScrapeConfig> jobs)
    {
        var result = new List<string>();
        foreach (var job in jobs)
        {
            using var doc = JsonDocument.Parse(ScrapeConfigsJson.Serialize([job], revealSecrets: true));
            result.Add(JsonSerializer.Serialize(doc.RootElement, Indented));
        }

        return result;
    }
}

internal sealed class FakeAssetStore : IAssetStore
{
    private readonly Dictionary<AssetReference, string> _values = [];

    public void Add(AssetReference reference, string value) => _values[reference] = value;

    public bool TryGet(AssetReference reference, out string value, out string error)
    {
        if (_values.TryGetValue(reference, out var v))
        {
            value = v;
            error = "";
            return true;
        }

        value = "";
        error = _values.Keys.Any(k => k.Kind == reference.Kind && k.Namespace == reference.Namespace && k.Name == reference.Name)
            ? "key not found"
            : "not found";
        return false;
    }
}
