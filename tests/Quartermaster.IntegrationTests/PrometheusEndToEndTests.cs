using System.Text.Json;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests;

/// <summary>
/// Two real Prometheus servers play two collectors, each polling its http_sd URL exactly as the collector's receiver
/// does; the allocator must split the targets between them without gaps or overlap, and follow a hot reload.
/// </summary>
public sealed class PrometheusEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TwoPrometheusCollectors_ScrapeExactlyTheirAllocation_AndFollowHotReload()
    {
        Assert.True(PrometheusServer.IsInstalled, "prometheus is not installed; run ./test.sh, which installs it");
        var targets = new List<FakeTarget>();
        for (var i = 0; i < 7; i++)
        {
            targets.Add(await FakeTarget.StartAsync());
        }

        var extra = await FakeTarget.StartAsync();
        try
        {
            await using var allocator = await AllocatorHost.StartAsync(Config(targets.Select(t => t.Address)));
            var prometheus = new List<PrometheusServer>();
            try
            {
                for (var i = 0; i < 2; i++)
                {
                    prometheus.Add(await PrometheusServer.StartAsync(PrometheusConfig(allocator.BaseAddress, $"collector-{i}")));
                }

                var all = targets.Select(t => t.Address).ToHashSet();
                await AssertPrometheusHoldsAllocationAsync(allocator, prometheus, all);

                // Hot reload: one more target appears in exactly one Prometheus.
                await File.WriteAllTextAsync(allocator.ConfigPath, Config(targets.Select(t => t.Address).Append(extra.Address)));
                all.Add(extra.Address);
                await AssertPrometheusHoldsAllocationAsync(allocator, prometheus, all);
            }
            finally
            {
                foreach (var p in prometheus)
                {
                    await p.DisposeAsync();
                }
            }
        }
        finally
        {
            foreach (var t in targets.Append(extra))
            {
                await t.DisposeAsync();
            }
        }
    }

    private static async Task AssertPrometheusHoldsAllocationAsync(AllocatorHost allocator, List<PrometheusServer> prometheus, HashSet<string> all)
    {
        Dictionary<string, HashSet<string>> assigned = [];
        Dictionary<string, IReadOnlyList<ActiveTarget>> seen = [];
        try
        {
            await AllocatorHost.WaitUntilAsync(
                async () =>
                {
                    assigned = await AssignedAsync(allocator, prometheus.Count);
                    if (!assigned.Values.SelectMany(a => a).ToHashSet().SetEquals(all))
                    {
                        return false;
                    }

                    for (var i = 0; i < prometheus.Count; i++)
                    {
                        var active = await prometheus[i].ActiveTargetsAsync();
                        seen[$"collector-{i}"] = active;
                        if (!active.Select(a => a.Address).ToHashSet().SetEquals(assigned[$"collector-{i}"]) || active.Any(a => a.Health != "up"))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                Timeout,
                "each Prometheus to scrape exactly its allocated targets, all up");
        }
        catch (TimeoutException ex)
        {
            var detail = string.Join("\n", seen.Select(s => $"{s.Key}: prometheus={string.Join(",", s.Value.Select(a => a.Address + "/" + a.Health))} allocator={string.Join(",", assigned.GetValueOrDefault(s.Key) ?? [])}"));
            Assert.Fail($"{ex.Message}\nexpected all={string.Join(",", all)}\n{detail}\n{string.Join("\n", prometheus.Select(p => p.Log))}");
        }

        // Disjoint and complete: every target in exactly one collector.
        var union = assigned.Values.SelectMany(a => a).ToList();
        Assert.Equal(union.Count, union.Distinct().Count());
        Assert.True(union.ToHashSet().SetEquals(all));
        Assert.All(assigned.Values, a => Assert.NotEmpty(a));
    }

    private static async Task<Dictionary<string, HashSet<string>>> AssignedAsync(AllocatorHost allocator, int collectors)
    {
        var result = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < collectors; i++)
        {
            using var doc = JsonDocument.Parse(await allocator.GetStringAsync($"/jobs/e2e/targets?collector_id=collector-{i}"));
            result[$"collector-{i}"] = doc.RootElement.EnumerateArray().Select(g => g.GetProperty("targets")[0].GetString()!).ToHashSet();
        }

        return result;
    }

    private static string Config(IEnumerable<string> addresses) => $$"""
        allocation_strategy: consistent-hashing
        collectors:
          static: [collector-0, collector-1]
        config:
          scrape_configs:
            - job_name: e2e
              scrape_interval: 1s
              scrape_timeout: 1s
              static_configs:
                - targets: [{{string.Join(", ", addresses.Select(a => "\"" + a + "\""))}}]
                  labels:
                    team: e2e
        """;

    private static string PrometheusConfig(Uri allocator, string collectorId) => $$"""
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1m
        scrape_configs:
          - job_name: e2e
            http_sd_configs:
              - url: "{{new Uri(allocator, "/jobs/e2e/targets?collector_id=" + collectorId)}}"
                refresh_interval: 1s
        """;
}
