using System.Text;
using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using Quartermaster.Core.Targets;
using Quartermaster.Kubernetes.PrometheusOperator;

namespace Quartermaster.Kubernetes.Tests.PrometheusOperator;

/// <summary>
/// The seed document's <c>/scrape_configs</c> job <c>serviceMonitor/default/my-app/0</c>: under
/// <c>operator_generation: v0.78</c> its ServiceMonitor must give, byte for byte, the relabel list the seed shows.
/// </summary>
public sealed class SeedScrapeConfigTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "TestData", "PrometheusOperatorSeed");

    [Fact]
    public void Generate_SeedServiceMonitorUnderV078_RelabelListMatchesSeedBytes()
    {
        var job = GenerateSeedJob("operator_generation: v0.78");

        var served = Encoding.UTF8.GetString(ScrapeConfigsJson.Serialize([job], revealSecrets: false));

        Assert.Equal(Minify(File.ReadAllText(Path.Combine(Root, "relabel_configs.json"))), ArrayAfter(served, "\"relabel_configs\":"));
    }

    [Fact]
    public void Generate_SeedServiceMonitorUnderV078_ScrapeFieldsMatchSeed()
    {
        var job = GenerateSeedJob("operator_generation: v0.78");

        Assert.Equal("serviceMonitor/default/my-app/0", job.JobName);
        Assert.Equal("30s", job.ScrapeInterval.ToString());
        Assert.Equal("10s", job.ScrapeTimeout.ToString());
        Assert.Equal("/metrics", job.MetricsPath);
        Assert.Equal("http", job.Scheme);
        Assert.False(job.HonorLabels);
        var sd = Assert.Single(job.KubernetesSdConfigs);
        Assert.Equal("endpointslice", sd.Role);
        Assert.Equal(["default"], sd.NamespaceNames);
        Assert.False(sd.OwnNamespace);
    }

    [Fact]
    public void Generate_SeedServiceMonitorCurrent_HasThreeRuleShardingTailInsteadOfSeedTail()
    {
        var job = GenerateSeedJob(null);

        var served = Encoding.UTF8.GetString(ScrapeConfigsJson.Serialize([job], revealSecrets: false));
        Assert.NotEqual(Minify(File.ReadAllText(Path.Combine(Root, "relabel_configs.json"))), ArrayAfter(served, "\"relabel_configs\":"));
        var tail = job.RelabelConfigs.TakeLast(3).ToList();
        Assert.Equal("$(SHARD);|.+;.+", tail[2].Regex);
        Assert.Equal(["__tmp_hash", "__tmp_disable_sharding"], tail[2].SourceLabels);
        Assert.Equal(RelabelAction.HashMod, tail[1].Action);
        Assert.Equal(15, job.RelabelConfigs.Count);
    }

    [Theory]
    [InlineData("operator_generation: v0.78")]
    [InlineData(null)]
    public void Generate_SeedServiceMonitor_KeepsMatchingTargetOnceShardIsSubstituted(string? settings)
    {
        var job = GenerateSeedJob(settings);
        var relabeler = Relabeler.Compile(job.RelabelConfigs.Select(TargetFilter.SubstituteShard).ToList());
        Label[] target =
        [
            new("__address__", "10.244.0.6:8080"),
            new("__meta_kubernetes_endpointslice_address_target_kind", "Pod"),
            new("__meta_kubernetes_endpointslice_address_target_name", "my-app-0"),
            new("__meta_kubernetes_endpointslice_port_name", "prom"),
            new("__meta_kubernetes_namespace", "default"),
            new("__meta_kubernetes_pod_name", "my-app-0"),
            new("__meta_kubernetes_pod_phase", "Running"),
            new("__meta_kubernetes_service_label_app", "my-app"),
            new("__meta_kubernetes_service_labelpresent_app", "true"),
            new("__meta_kubernetes_service_name", "my-app"),
            new("__tmp_disable_sharding", "true"),
            new("job", "serviceMonitor/default/my-app/0"),
        ];
        var builder = new LabelsBuilder(target.OrderBy(l => l.Name, StringComparer.Ordinal).ToArray());

        Assert.True(relabeler.Process(builder));
        Assert.Equal("my-app", builder.Get("job"));
        Assert.Equal("my-app-0", builder.Get("pod"));
        Assert.Equal("prom", builder.Get("endpoint"));

        var otherPort = new LabelsBuilder(target.Select(l => l.Name == "__meta_kubernetes_endpointslice_port_name" ? l with { Value = "web" } : l).ToArray());
        Assert.False(relabeler.Process(otherPort));
    }

    private static ScrapeConfig GenerateSeedJob(string? settingsYaml)
    {
        var settings = TestResources.Settings(settingsYaml);
        var resources = TestResources.Resources(File.ReadAllText(Path.Combine(Root, "resource.yaml")));
        var result = ScrapeConfigGenerator.Generate(resources, settings, new FakeAssetStore());
        var parsed = ScrapeConfigGenerator.ParseJobs(result, settings);
        Assert.Empty(result.Rejected);
        Assert.Empty(parsed.Rejected);
        return Assert.Single(parsed.Jobs);
    }

    /// <summary>Removes the whitespace between JSON tokens, keeping every string byte as written.</summary>
    private static string Minify(string json)
    {
        var sb = new StringBuilder();
        var inString = false;
        var escaped = false;
        foreach (var c in json)
        {
            if (inString)
            {
                sb.Append(c);
                escaped = !escaped && c == '\\';
                inString = escaped || c != '"';
            }
            else if (c == '"')
            {
                inString = true;
                sb.Append(c);
            }
            else if (!char.IsWhiteSpace(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>The JSON array that follows <paramref name="key"/> in <paramref name="json"/>.</summary>
    private static string ArrayAfter(string json, string key)
    {
        var start = json.IndexOf(key, StringComparison.Ordinal) + key.Length;
        Assert.Equal('[', json[start]);
        var depth = 0;
        var inString = false;
        var escaped = false;
        for (var i = start; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                escaped = !escaped && c == '\\';
                inString = escaped || c != '"';
                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c == '[' || c == '{')
            {
                depth++;
            }
            else if ((c == ']' || c == '}') && --depth == 0)
            {
                return json[start..(i + 1)];
            }
        }

        throw new InvalidOperationException("unterminated array");
    }
}
