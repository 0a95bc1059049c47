using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests;

/// <summary>
/// Real Prometheus servers play the collectors, each polling its http_sd URL exactly as the collector's receiver
/// does; the allocator must split the targets between them without gaps or overlap, and follow hot reloads.
/// </summary>
public sealed class PrometheusEndToEndTests
{
    [Fact]
    public async Task TwoPrometheusCollectors_ScrapeExactlyTheirAllocation_AndFollowHotReload()
    {
        Assert.True(PrometheusServer.IsInstalled, "prometheus is not installed; run ./test.sh, which installs it");
        await using var fleet = await PrometheusFleet.StartAsync(targets: 8, collectors: 2, spareTargets: 1);
        var collectors = new[] { PrometheusFleet.CollectorId(0), PrometheusFleet.CollectorId(1) };
        var all = fleet.Targets.Take(7).Select(t => t.Address).ToHashSet();
        await fleet.AssertPrometheusHoldsAllocationAsync(all);

        // Hot reload: one more target appears in exactly one Prometheus.
        all.Add(fleet.Targets[7].Address);
        await fleet.ReconfigureAsync(collectors, all);
        await fleet.AssertPrometheusHoldsAllocationAsync(all);
    }

    [Fact]
    public async Task CollectorRemovedByHotReload_ItsTargetsMoveToTheOthers_NoneScrapedTwice()
    {
        Assert.True(PrometheusServer.IsInstalled, "prometheus is not installed; run ./test.sh, which installs it");
        await using var fleet = await PrometheusFleet.StartAsync(targets: 24, collectors: 3);
        var all = fleet.Targets.Select(t => t.Address).ToHashSet();
        var before = await fleet.AssertPrometheusHoldsAllocationAsync(all);
        var orphaned = before[PrometheusFleet.CollectorId(2)];
        Assert.NotEmpty(orphaned);

        string[] live = [PrometheusFleet.CollectorId(0), PrometheusFleet.CollectorId(1)];
        await fleet.ReconfigureAsync(live, all);
        var after = await fleet.AssertPrometheusHoldsAllocationAsync(all, live);

        Assert.Empty(after[PrometheusFleet.CollectorId(2)]);
        var remaining = after[PrometheusFleet.CollectorId(0)].Concat(after[PrometheusFleet.CollectorId(1)]).ToList();
        Assert.Subset(remaining.ToHashSet(), orphaned);
        Assert.Equal(remaining.Count, remaining.Distinct().Count());

        // What Prometheus itself scrapes: the removed collector's server scrapes nothing, the others everything once.
        var scraped = new List<string>();
        foreach (var p in fleet.Prometheus)
        {
            scraped.AddRange((await p.ActiveTargetsAsync()).Select(a => a.Address));
        }

        Assert.Empty(await fleet.Prometheus[2].ActiveTargetsAsync());
        Assert.Equal(all.Order(StringComparer.Ordinal), scraped.Order(StringComparer.Ordinal));
    }
}
