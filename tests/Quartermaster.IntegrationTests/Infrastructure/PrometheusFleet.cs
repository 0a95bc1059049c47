using System.Globalization;
using System.Text.Json;

namespace Quartermaster.IntegrationTests.Infrastructure;

/// <summary>
/// Fake scrape targets, one allocator with static collectors, and one real Prometheus per collector polling its
/// http_sd URL the way the collector's receiver does. Collector <c>i</c> is <c>collector-i</c>, scraped by Prometheus <c>i</c>.
/// </summary>
public sealed class PrometheusFleet : IAsyncDisposable
{
    public const string Job = "e2e";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly List<FakeTarget> _targets = [];
    private readonly List<PrometheusServer> _prometheus = [];
    private AllocatorHost? _allocator;

    private PrometheusFleet()
    {
    }

    public IReadOnlyList<FakeTarget> Targets => _targets;

    public AllocatorHost Allocator => _allocator ?? throw new InvalidOperationException("not started");

    public IReadOnlyList<PrometheusServer> Prometheus => _prometheus;

    public static string CollectorId(int i) => "collector-" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts <paramref name="targets"/> targets, the allocator with all but the last <paramref name="spareTargets"/>, and the Prometheus servers.</summary>
    /// <remarks><paramref name="allocatorConfig"/> replaces the static-target config (collector ids, target addresses → YAML).</remarks>
    public static async Task<PrometheusFleet> StartAsync(
        int targets, int collectors, int spareTargets = 0, Func<IReadOnlyList<string>, IEnumerable<string>, string>? allocatorConfig = null, string? directory = null)
    {
        var fleet = new PrometheusFleet();
        try
        {
            for (var i = 0; i < targets; i++)
            {
                fleet._targets.Add(await FakeTarget.StartAsync());
            }

            var ids = Enumerable.Range(0, collectors).Select(CollectorId).ToList();
            fleet._allocator = await AllocatorHost.StartAsync(
                (allocatorConfig ?? AllocatorConfig)(ids, fleet._targets.Take(targets - spareTargets).Select(t => t.Address)), directory);
            foreach (var id in ids)
            {
                fleet._prometheus.Add(await PrometheusServer.StartAsync(PrometheusConfig(fleet._allocator.BaseAddress, id)));
            }

            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rewrites the allocator's config file; the allocator hot-reloads it.</summary>
    public Task ReconfigureAsync(IEnumerable<string> collectors, IEnumerable<string> addresses) =>
        File.WriteAllTextAsync(Allocator.ConfigPath, AllocatorConfig(collectors, addresses));

    /// <summary>
    /// Waits until the allocator assigns exactly <paramref name="all"/> over <paramref name="live"/> (all collectors when
    /// null) and nothing to the others, and every Prometheus scrapes exactly what the allocator gives its collector, all
    /// up; then asserts no target is assigned twice. Returns the assignment per collector id.
    /// </summary>
    public async Task<Dictionary<string, HashSet<string>>> AssertPrometheusHoldsAllocationAsync(
        IReadOnlySet<string> all, IReadOnlyCollection<string>? live = null)
    {
        Dictionary<string, HashSet<string>> assigned = [];
        Dictionary<string, IReadOnlyList<ActiveTarget>> seen = [];
        try
        {
            await AllocatorHost.WaitUntilAsync(
                async () =>
                {
                    assigned = await AssignedAsync();
                    if (!assigned.Values.SelectMany(a => a).ToHashSet().SetEquals(all)
                        || (live is not null && assigned.Any(a => !live.Contains(a.Key) && a.Value.Count > 0)))
                    {
                        return false;
                    }

                    for (var i = 0; i < _prometheus.Count; i++)
                    {
                        var active = await _prometheus[i].ActiveTargetsAsync();
                        seen[CollectorId(i)] = active;
                        if (!active.Select(a => a.Address).ToHashSet().SetEquals(assigned[CollectorId(i)]) || active.Any(a => a.Health != "up"))
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
            var detail = string.Join("\n", seen.Select(s =>
                $"{s.Key}: prometheus={string.Join(",", s.Value.Select(a => a.Address + "/" + a.Health))} allocator={string.Join(",", assigned.GetValueOrDefault(s.Key) ?? [])}"));
            Assert.Fail($"{ex.Message}\nexpected all={string.Join(",", all)}\n{detail}\n{string.Join("\n", _prometheus.Select(p => p.Log))}");
        }

        var union = assigned.Values.SelectMany(a => a).ToList();
        Assert.Equal(union.Count, union.Distinct().Count());
        Assert.True(union.ToHashSet().SetEquals(all));
        return assigned;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _prometheus)
        {
            await p.DisposeAsync();
        }

        if (_allocator is not null)
        {
            await _allocator.DisposeAsync();
        }

        foreach (var t in _targets)
        {
            await t.DisposeAsync();
        }
    }

    private async Task<Dictionary<string, HashSet<string>>> AssignedAsync()
    {
        var result = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < _prometheus.Count; i++)
        {
            using var doc = JsonDocument.Parse(await Allocator.GetStringAsync($"/jobs/{Job}/targets?collector_id={CollectorId(i)}"));
            result[CollectorId(i)] = doc.RootElement.EnumerateArray().Select(g => g.GetProperty("targets")[0].GetString()!).ToHashSet();
        }

        return result;
    }

    private static string AllocatorConfig(IEnumerable<string> collectors, IEnumerable<string> addresses) => $$"""
        allocation_strategy: consistent-hashing
        collectors:
          static: [{{string.Join(", ", collectors)}}]
        config:
          scrape_configs:
            - job_name: {{Job}}
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
          - job_name: {{Job}}
            http_sd_configs:
              - url: "{{new Uri(allocator, $"/jobs/{Job}/targets?collector_id=" + collectorId)}}"
                refresh_interval: 1s
        """;
}
