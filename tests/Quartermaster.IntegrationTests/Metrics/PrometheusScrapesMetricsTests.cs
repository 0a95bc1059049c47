using System.Text.Json;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests.Metrics;

/// <summary>
/// A real Prometheus scrapes the allocator's <c>/metrics</c>, and the series upstream dashboards query come back from
/// its query API under upstream's names and labels.
/// </summary>
public sealed class PrometheusScrapesMetricsTests
{
    [Fact]
    public async Task Metrics_ScrapedByRealPrometheus_UpstreamSeriesQueryable()
    {
        Assert.True(PrometheusServer.IsInstalled, "prometheus is not installed; run ./test.sh, which installs it");
        await using var host = await AllocatorHost.StartAsync("""
            collectors:
              static: [collector-0, collector-1]
            config:
              scrape_configs:
                - job_name: app
                  static_configs:
                    - targets: ["10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100", "10.0.0.4:9100"]
                  relabel_configs:
                    - source_labels: [__address__]
                      regex: "10.0.0.4:9100"
                      action: drop
            """);
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs/app/targets")).Contains("10.0.0.3:9100", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the job's targets");

        // A request on a templated route, so the http duration histogram has that path; and one from an unknown collector.
        _ = await host.GetStringAsync("/jobs/app/targets?collector_id=collector-0");
        _ = await host.GetStringAsync("/jobs/app/targets?collector_id=nobody");

        var exposition = await host.GetStringAsync("/metrics");
        foreach (var series in new[]
        {
            "opentelemetry_allocator_collectors_discovered",
            "opentelemetry_allocator_targets_unassigned",
            "opentelemetry_allocator_process_targets_duration_seconds_bucket",
            "quartermaster_targets_unassigned_by_reason",
            "quartermaster_targets_duplicate",
            "quartermaster_unknown_collector_polls_total",
            "quartermaster_config_reloads_total",
            "quartermaster_jobs_secrets_withheld",
        })
        {
            Assert.True(exposition.Contains("\n" + series + "{", StringComparison.Ordinal), $"{series} missing from /metrics:\n{exposition}");
        }

        await using var prometheus = await PrometheusServer.StartAsync($"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: allocator
                scrape_interval: 1s
                static_configs:
                  - targets: ["{host.BaseAddress.Authority}"]
            """);

        var targets = await QueryEventuallyAsync(prometheus, "opentelemetry_allocator_targets");
        var app = Assert.Single(targets, s => s.Labels.GetValueOrDefault("job_name") == "app");
        Assert.Equal(4, app.Value); // discovered, before the relabel filter

        var perCollector = await QueryEventuallyAsync(prometheus, "opentelemetry_allocator_targets_per_collector");
        Assert.Equal(["collector-0", "collector-1"], perCollector.Select(s => s.Labels["collector_name"]).Order(StringComparer.Ordinal));
        Assert.Equal(3, perCollector.Sum(s => s.Value));
        Assert.All(perCollector, s => Assert.Equal("consistent-hashing", s.Labels["strategy"]));

        var allocatable = Assert.Single(await QueryEventuallyAsync(prometheus, "opentelemetry_allocator_collectors_allocatable"));
        Assert.Equal(2, allocatable.Value);
        Assert.Equal(3, Assert.Single(await QueryEventuallyAsync(prometheus, "opentelemetry_allocator_targets_remaining")).Value);

        var toAllocate = await QueryEventuallyAsync(prometheus, "opentelemetry_allocator_time_to_allocate_bucket");
        Assert.Contains(toAllocate, s => s.Labels.GetValueOrDefault("method") == "SetTargets" && s.Labels.GetValueOrDefault("le") == "+Inf");

        var http = await QueryEventuallyAsync(prometheus, "opentelemetry_allocator_http_duration_seconds_bucket");
        Assert.Contains(http, s => s.Labels.GetValueOrDefault("path") == "/jobs/:job_id/targets");

        var groups = await QueryEventuallyAsync(prometheus, "opentelemetry_allocator_process_target_groups_duration_seconds_bucket");
        Assert.Equal(
            [1, 5, 10, 30, 60, 120, double.PositiveInfinity],
            groups.Where(s => s.Labels.GetValueOrDefault("job_name") == "app")
                .Select(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], System.Globalization.CultureInfo.InvariantCulture)).Order());

        var dropped = await QueryEventuallyAsync(prometheus, "quartermaster_targets_dropped");
        Assert.Equal(1, Assert.Single(dropped, s => s.Labels.GetValueOrDefault("job_name") == "app").Value);
    }

    private sealed record Sample(Dictionary<string, string> Labels, double Value);

    /// <summary>Queries until the instant vector is non-empty (scrapes happen every second); bounded.</summary>
    private static async Task<IReadOnlyList<Sample>> QueryEventuallyAsync(PrometheusServer prometheus, string query)
    {
        IReadOnlyList<Sample> result = [];
        await AllocatorHost.WaitUntilAsync(
            async () =>
            {
                result = await QueryAsync(prometheus, query);
                return result.Count > 0;
            },
            TimeSpan.FromSeconds(30),
            $"Prometheus to return {query}\n{prometheus.Log}");
        return result;
    }

    private static async Task<IReadOnlyList<Sample>> QueryAsync(PrometheusServer prometheus, string query)
    {
        using var doc = JsonDocument.Parse(await prometheus.Client.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)));
        var samples = new List<Sample>();
        foreach (var r in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
            var value = double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            samples.Add(new Sample(labels, value));
        }

        return samples;
    }
}
