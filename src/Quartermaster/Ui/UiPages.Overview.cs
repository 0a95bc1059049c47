using Quartermaster.Core.Serving;

namespace Quartermaster.Ui;

internal sealed partial class UiPages
{
    public IResult Overview()
    {
        var snapshot = pipeline.Current;
        var page = new HtmlPage("Quartermaster target allocator");
        foreach (var warning in Warnings(snapshot))
        {
            page.Warning(warning);
        }

        page.Heading("Summary");
        page.Table("Category", "Count")
            .Row(Cell.Link("/ui/targets", "Targets"), Cell.Number(snapshot.TargetCount))
            .Row(Cell.Link("/ui/unassigned", "Unassigned targets"), Cell.Number(snapshot.UnassignedCount))
            .Row(Cell.Link("/ui/jobs", "Jobs"), Cell.Number(snapshot.JobStats.Count))
            .Row(Cell.Link("/ui/collectors", "Collectors"), Cell.Number(snapshot.Collectors.Count))
            .Row(Cell.Link("/ui/scrape-configs", "Scrape configs"), Cell.Number(snapshot.JobStats.Count))
            .End();

        page.Heading("Readiness");
        var readiness = page.Table("Check", "Status");
        readiness.Row("configuration", snapshot.IsReady
            ? Cell.Status(true, $"applied (version {snapshot.ConfigVersion})")
            : Cell.Status(false, "not applied yet: /readyz answers 503"));
        readiness.Row("collectors", snapshot.NoCollectors
            ? Cell.Status(false, "none" + (collectorService.LastError is { } e ? ": " + e : "") + "; targets are kept but served to nobody")
            : Cell.Status(true, $"{snapshot.Collectors.Count} allocatable"));
        readiness.Row("allocation", Cell.Status(snapshot.UnassignedCount == 0, $"{HtmlPage.Num(snapshot.TargetCount)} targets, {HtmlPage.Num(snapshot.UnassignedCount)} unassigned"));
        readiness.Row("strategy", pipeline.StrategyName);
        readiness.Row("permissions", rbac.LastError is { } rbacError
            ? Cell.Status(false, "check failed: " + rbacError)
            : Cell.Status(rbac.Missing.Count == 0, rbac.Missing.Count == 0 ? "nothing missing" : $"{rbac.Missing.Count} missing"));
        readiness.End();

        page.Heading("Configuration reload");
        if (configService.LastError is { } reloadError)
        {
            page.Paragraph($"The last change was rejected; version {snapshot.ConfigVersion} stays in force. Error: {reloadError}", "bad");
        }
        else
        {
            page.Paragraph(snapshot.IsReady ? $"Version {snapshot.ConfigVersion} applied; no reload has failed since." : "No configuration applied yet.", snapshot.IsReady ? "ok" : "bad");
        }

        page.Heading("Discovery sources");
        var sources = discovery.Sources;
        if (sources.Count == 0)
        {
            page.Paragraph("No discovery sources.");
        }
        else
        {
            var table = page.Table("Job", "Mechanism", "Source", "Status", "Failures");
            foreach (var source in sources.OrderBy(s => s.Job, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
            {
                table.Row(
                    Cell.Link(JobHref(source.Job), source.Job),
                    source.Mechanism,
                    source.Name,
                    source.LastError is { } err ? Cell.Status(false, "failing (last targets kept): " + err) : Cell.Status(true, "healthy"),
                    Cell.Number(source.Failures));
            }

            table.End();
        }

        page.Heading("Collectors");
        CollectorSummary(page, snapshot);
        return page.ToResult();
    }

    private static void CollectorSummary(HtmlPage page, ServingSnapshot snapshot)
    {
        if (snapshot.NoCollectors)
        {
            page.Paragraph("No collectors.");
            return;
        }

        var table = page.Table("Collector", "Node", "Jobs", "Targets");
        foreach (var name in snapshot.Collectors)
        {
            table.Row(
                Cell.Link(CollectorHref(name), name),
                snapshot.CollectorNodes.GetValueOrDefault(name, ""),
                Cell.Number(JobCountOf(snapshot, name)),
                Cell.Number(snapshot.TargetsPerCollector.GetValueOrDefault(name)));
        }

        table.End();
    }

    private static int JobCountOf(ServingSnapshot snapshot, string collector)
    {
        var count = 0;
        foreach (var view in snapshot.Jobs.Values)
        {
            if (view.ItemsByCollector.ContainsKey(collector))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>What keeps targets from being scraped, one sentence each.</summary>
    private List<string> Warnings(ServingSnapshot snapshot)
    {
        var warnings = new List<string>();
        if (!snapshot.IsReady)
        {
            warnings.Add("No configuration has been applied yet.");
        }

        if (configService.LastError is { } reloadError)
        {
            warnings.Add("The last configuration change was rejected: " + reloadError);
        }

        foreach (var warning in configService.Current?.Warnings ?? [])
        {
            warnings.Add("Configuration: " + warning);
        }

        if (snapshot.NoCollectors)
        {
            warnings.Add("No collectors are registered: every target is kept but served to nobody."
                + (collectorService.LastError is { } e ? " Collector watch error: " + e : ""));
        }
        else if (snapshot.UnassignedCount > 0)
        {
            warnings.Add($"{HtmlPage.Num(snapshot.UnassignedCount)} targets have no collector; see Unassigned.");
        }

        foreach (var name in snapshot.NotReadyCollectors)
        {
            warnings.Add($"Collector {name} stayed not ready past the grace period and gets no targets.");
        }

        var unknown = polls.UnknownCollectors;
        if (unknown.Count > 0)
        {
            warnings.Add($"Polls with a collector_id that matches no collector (answered with []): {string.Join(", ", unknown.Keys.Order(StringComparer.Ordinal))}.");
        }

        foreach (var permission in rbac.Missing)
        {
            warnings.Add($"Missing permission: {permission}");
        }

        foreach (var source in discovery.Sources)
        {
            if (source.LastError is { } error)
            {
                warnings.Add($"Discovery {source.Mechanism} {source.Name} of job {source.Job} is failing (last targets kept): {error}");
            }
        }

        foreach (var (job, stats) in snapshot.JobStats.OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            if (stats.Discovered > 0 && stats.Kept == 0)
            {
                warnings.Add($"Job {job}: relabeling dropped all {HtmlPage.Num(stats.Discovered)} discovered targets.");
            }
        }

        return warnings;
    }
}
