using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Quartermaster.Core.Config;

namespace Quartermaster.Benchmarks.Config;

/// <summary>Loading a config with many jobs and serialising its <c>/scrape_configs</c> body (both once per change).</summary>
public class ConfigBenchmarks
{
    private string _yaml = "";
    private IReadOnlyList<ScrapeConfig> _configs = [];

    [Params(10, 500)]
    public int Jobs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder("collector_namespace: ns\nconfig:\n  scrape_configs:\n");
        for (var i = 0; i < Jobs; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $$"""
                    - job_name: job-{{i}}
                      scrape_interval: 30s
                      basic_auth: {username: u, password: p}
                      relabel_configs:
                        - {source_labels: [__meta_x], regex: "a(.*)", target_label: x}
                        - {action: keepequal, source_labels: [a], target_label: b}
                      static_configs:
                        - targets: [host-{{i}}-a:9100, host-{{i}}-b:9100]
                          labels: {env: prod, team: "a&b"}

                """);
        }

        _yaml = sb.ToString();
        _configs = Load().PromConfig!.ScrapeConfigs;
    }

    [Benchmark]
    public TargetAllocatorConfig Load() => TargetAllocatorConfigLoader.Load(_yaml, "bench.yaml", _ => null, ConfigOverrides.None);

    [Benchmark]
    public byte[] SerializeScrapeConfigs() => ScrapeConfigsJson.Serialize(_configs, revealSecrets: false);
}
