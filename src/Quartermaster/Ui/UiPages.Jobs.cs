using Quartermaster.Core.Relabeling;
using Quartermaster.Core.Serving;

namespace Quartermaster.Ui;

internal sealed partial class UiPages
{
    /// <summary>Dropped targets listed on a job page; the snapshot keeps a bounded number per job anyway.</summary>
    private const int MaxDroppedShown = 100;

    public IResult Jobs()
    {
        var snapshot = pipeline.Current;
        var page = new HtmlPage("Jobs");
        var names = new SortedSet<string>(snapshot.JobStats.Keys, StringComparer.Ordinal);
        names.UnionWith(snapshot.Jobs.Keys);
        if (names.Count == 0)
        {
            page.Paragraph("No jobs are configured.");
            return page.ToResult();
        }

        var table = page.Table("Job", "Targets", "Unassigned", "Collectors", "Discovered", "Dropped by relabeling", "Duplicates");
        foreach (var job in names)
        {
            snapshot.Jobs.TryGetValue(job, out var view);
            var stats = snapshot.JobStats.GetValueOrDefault(job);
            table.Row(
                Cell.Link(JobHref(job), job),
                Cell.Number(view?.TargetCount ?? 0),
                Cell.Number(view?.Unassigned.Count ?? 0),
                Cell.Number(view?.ItemsByCollector.Count ?? 0),
                Cell.Number(stats.Discovered),
                Cell.Number(stats.Dropped),
                Cell.Number(stats.Duplicates));
        }

        table.End();
        return page.ToResult();
    }

    public IResult Job(HttpContext ctx, string job, string? collector)
    {
        var snapshot = pipeline.Current;
        var known = snapshot.JobStats.TryGetValue(job, out var stats);
        snapshot.Jobs.TryGetValue(job, out var view);
        if (!known && view is null)
        {
            return HtmlPage.Error(StatusCodes.Status404NotFound, "Job not found", $"Unknown job: \"{job}\". No configured job has this name; the jobs are listed at /ui/jobs.");
        }

        if (!Paging.TryParse(ctx.Request.Query, out var paging, out var error))
        {
            return BadPaging(error);
        }

        if (collector is not null && !snapshot.TargetsPerCollector.ContainsKey(collector))
        {
            return HtmlPage.Error(StatusCodes.Status404NotFound, "Collector not found", $"Unknown collector: \"{collector}\". The collectors are listed at /ui/collectors.");
        }

        var q = Param(ctx, "q");
        var page = new HtmlPage("Job: " + job);
        page.Table("Discovered", "Kept", "Dropped by relabeling", "Duplicates", "Unassigned")
            .Row(Cell.Number(stats.Discovered), Cell.Number(view?.TargetCount ?? 0), Cell.Number(stats.Dropped), Cell.Number(stats.Duplicates), Cell.Number(view?.Unassigned.Count ?? 0))
            .End();
        page.LinkParagraph("What this job serves:", $"/jobs/{HtmlPage.Query(job)}/targets", "JSON by collector");

        page.Heading("Targets per collector");
        if (snapshot.NoCollectors)
        {
            page.Paragraph("No collectors: this job's targets are served to nobody.", "bad");
        }
        else
        {
            var counts = page.Table("Collector", "Targets", "Last poll of this job");
            foreach (var name in snapshot.Collectors)
            {
                var count = view is not null && view.ItemsByCollector.TryGetValue(name, out var items) ? items.Length : 0;
                var polled = polls.PollsOf(name).TryGetValue(job, out var at) ? Age(at) : "never";
                counts.Row(Cell.Link(HtmlPage.Href(JobHref(job), [("collector", name)]), name), Cell.Number(count), polled);
            }

            counts.End();
        }

        page.Heading(collector is null ? "Targets" : "Targets on " + collector);
        page.SearchForm(JobHref(job), q, collector is null ? null : [("collector", collector)]);
        if (view is null)
        {
            page.Paragraph("This job has no targets.");
        }
        else
        {
            var (rows, total, more) = TargetSearch.Page(JobSegments(view, collector, collector is null), paging, TargetSearch.Parse(q));
            page.Pager(JobHref(job), [("collector", collector), ("q", q)], paging, total, more);
            TargetTable(page, rows, showJob: false);
        }

        DroppedTargets(page, snapshot, job, stats);
        return page.ToResult();
    }

    private void DroppedTargets(HtmlPage page, ServingSnapshot snapshot, string job, JobStats stats)
    {
        page.Heading("Dropped by relabeling");
        var dropped = snapshot.DroppedTargets.GetValueOrDefault(job) ?? [];
        if (stats.Dropped == 0)
        {
            page.Paragraph("Relabeling dropped no target of this job.");
            return;
        }

        page.Paragraph(dropped.Count < stats.Dropped
            ? $"{HtmlPage.Num(stats.Dropped)} dropped; the first {HtmlPage.Num(Math.Min(dropped.Count, MaxDroppedShown))} are shown (keep_dropped_targets bounds how many are kept)."
            : $"{HtmlPage.Num(stats.Dropped)} dropped.");
        var rules = configService.Current?.PromConfig?.ScrapeConfigs.FirstOrDefault(c => c.JobName == job)?.RelabelConfigs ?? [];
        var table = page.Table("Rule", "Labels before relabeling");
        for (var i = 0; i < dropped.Count && i < MaxDroppedShown; i++)
        {
            var d = dropped[i];
            var rule = d.RuleIndex >= 0 && d.RuleIndex < rules.Count ? $"relabel_configs[{d.RuleIndex}]: {Describe(rules[d.RuleIndex])}" : $"relabel_configs[{d.RuleIndex}]";
            table.Row(rule, Cell.Labels(LabelText(d.Labels)));
        }

        table.End();
    }

    private static string Describe(RelabelConfig rule)
    {
        var parts = new List<string> { "action " + RelabelConfig.ActionName(rule.Action) };
        if (rule.SourceLabels.Count > 0)
        {
            parts.Add("source_labels [" + string.Join(", ", rule.SourceLabels) + "]");
        }

        if (rule.Regex is not null)
        {
            parts.Add("regex " + rule.Regex);
        }

        if (rule.Modulus != 0)
        {
            parts.Add("modulus " + rule.Modulus);
        }

        return string.Join(", ", parts);
    }
}
