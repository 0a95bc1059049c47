namespace Quartermaster.Ui;

internal sealed partial class UiPages
{
    public IResult Collectors()
    {
        var snapshot = pipeline.Current;
        var page = new HtmlPage("Collectors");
        if (snapshot.NoCollectors)
        {
            page.Warning("No collectors are registered: every target is kept but served to nobody."
                + (collectorService.LastError is { } e ? " Collector watch error: " + e : ""));
        }
        else
        {
            var table = page.Table("Collector", "Node", "Targets", "Jobs", "Last poll per job");
            foreach (var name in snapshot.Collectors)
            {
                var lastPolls = polls.PollsOf(name);
                var pollText = lastPolls.Count == 0
                    ? "never polled"
                    : string.Join("; ", lastPolls.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {Age(p.Value)}"));
                table.Row(
                    Cell.Link(CollectorHref(name), name),
                    snapshot.CollectorNodes.GetValueOrDefault(name, ""),
                    Cell.Number(snapshot.TargetsPerCollector.GetValueOrDefault(name)),
                    Cell.Number(JobCountOf(snapshot, name)),
                    Cell.Status(lastPolls.Count > 0, pollText));
            }

            table.End();
        }

        foreach (var name in snapshot.NotReadyCollectors)
        {
            page.Warning($"Collector {name} stayed not ready past the grace period and gets no targets.");
        }

        page.Heading("Unknown collector ids");
        var unknown = polls.UnknownCollectors;
        if (unknown.Count == 0)
        {
            page.Paragraph("Every poll named a known collector.");
        }
        else
        {
            page.Paragraph("These ids polled for targets but match no collector; they were answered with [] (check the receiver's collector_id).", "bad");
            var table = page.Table("collector_id", "Last poll");
            foreach (var (id, at) in unknown.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                table.Row(id, Age(at));
            }

            table.End();
        }

        return page.ToResult();
    }

    public IResult Collector(HttpContext ctx, string name)
    {
        var snapshot = pipeline.Current;
        if (!snapshot.TargetsPerCollector.TryGetValue(name, out var targetCount))
        {
            var unknown = polls.UnknownCollectors.ContainsKey(name) ? " It has polled, so a receiver uses this collector_id, but no collector with this id is registered." : "";
            return HtmlPage.Error(StatusCodes.Status404NotFound, "Collector not found", $"Unknown collector: \"{name}\".{unknown} The collectors are listed at /ui/collectors.");
        }

        if (!Paging.TryParse(ctx.Request.Query, out var paging, out var error))
        {
            return BadPaging(error);
        }

        var q = Param(ctx, "q");
        var page = new HtmlPage("Collector: " + name);
        page.Table("Node", "Targets").Row(snapshot.CollectorNodes.GetValueOrDefault(name, ""), Cell.Number(targetCount)).End();

        page.Heading("Jobs");
        var lastPolls = polls.PollsOf(name);
        var jobs = page.Table("Job", "Targets", "Last poll");
        foreach (var job in snapshot.Jobs.Keys.Order(StringComparer.Ordinal))
        {
            var count = snapshot.Jobs[job].ItemsByCollector.TryGetValue(name, out var items) ? items.Length : 0;
            var polled = lastPolls.TryGetValue(job, out var at);
            if (count > 0 || polled)
            {
                jobs.Row(
                    Cell.Link(HtmlPage.Href(JobHref(job), [("collector", name)]), job),
                    Cell.Number(count),
                    Cell.Status(polled, polled ? Age(at) : "never"));
            }
        }

        jobs.End();

        page.Heading("Targets");
        page.SearchForm(CollectorHref(name), q);
        var (rows, total, more) = TargetSearch.Page(AllSegments(snapshot, name, unassigned: false), paging, TargetSearch.Parse(q));
        page.Pager(CollectorHref(name), [("q", q)], paging, total, more);
        TargetTable(page, rows);
        return page.ToResult();
    }
}
