using System.Globalization;
using Quartermaster.Api;
using Quartermaster.Core.Explain;

namespace Quartermaster.Ui;

internal sealed partial class UiPages
{
    /// <summary>Explain waits this long for the pipeline loop, which answers between batches.</summary>
    private static readonly TimeSpan ExplainTimeout = TimeSpan.FromSeconds(10);

    public async Task<IResult> Explain(HttpContext ctx)
    {
        var target = Param(ctx, "target");
        var job = Param(ctx, "job");
        var page = new HtmlPage("Explain a target");
        page.Raw("<form method=\"get\" action=\"/ui/explain\">"
            + "<input type=\"text\" name=\"target\" size=\"50\" placeholder=\"10.0.0.1:8080 or {__address__=&quot;10.0.0.1:8080&quot;}\" value=\"" + HtmlPage.Encode(target) + "\"> "
            + "<input type=\"text\" name=\"job\" size=\"20\" placeholder=\"job (optional)\" value=\"" + HtmlPage.Encode(job) + "\"> "
            + "<button type=\"submit\">Explain</button></form>\n");
        if (string.IsNullOrWhiteSpace(target))
        {
            page.Paragraph("Give an address or a label matcher set: explain shows where the target was discovered, what relabeling did to it rule by rule, which collector got it or why none did, and when that collector last polled.");
            return page.ToResult();
        }

        if (!ExplainQuery.TryParse(target, job, out var query, out var error))
        {
            page.Paragraph(error, "bad");
            return page.ToResult(StatusCodes.Status400BadRequest);
        }

        var result = await RunExplainAsync(query, ctx.RequestAborted);
        if (result is null)
        {
            page.Paragraph($"The pipeline did not answer within {ExplainTimeout.TotalSeconds}s; try again.", "bad");
            return page.ToResult(StatusCodes.Status503ServiceUnavailable);
        }

        RenderExplain(page, result, null);
        return page.ToResult(result.Found ? StatusCodes.Status200OK : StatusCodes.Status404NotFound);
    }

    private async Task<ExplainResult?> RunExplainAsync(ExplainQuery query, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(ExplainTimeout);
        try
        {
            return await pipeline.ExplainAsync(query, ApiEndpoints.ExplainContextFor(polls, discovery, rbac, configService), timeout.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Renders <paramref name="result"/>; with <paramref name="identity"/>, only the sightings kept under that identity.</summary>
    private static void RenderExplain(HtmlPage page, ExplainResult result, ulong? identity)
    {
        if (!result.Found)
        {
            page.Paragraph(result.NotFoundMessage(), "bad");
            if (result.CandidateJobs.Count > 0)
            {
                var candidates = page.Table("Job", "Could have found it", "Why", "Sources");
                foreach (var c in result.CandidateJobs)
                {
                    var sources = string.Join("; ", c.Sources.Select(s =>
                        $"{s.Kind} {s.Key}: {s.Watches}{(s.LastError is { } e ? " (failing: " + e + ")" : "")}"
                        + (s.MissingPermissions.Count > 0 ? " (missing: " + string.Join(", ", s.MissingPermissions) + ")" : "")));
                    candidates.Row(Cell.Link(JobHref(c.Job), c.Job), Cell.Status(c.CouldHaveFound, c.CouldHaveFound ? "yes" : "no"), c.Reason, sources);
                }

                candidates.End();
            }
        }

        var sightings = result.Sightings.Where(s => identity is null || (s.Relabel.Kept && s.Relabel.Hash == identity)).ToList();
        if (sightings.Count == 0)
        {
            sightings = [.. result.Sightings];
        }

        if (result.Matches > result.Sightings.Count)
        {
            page.Paragraph($"{HtmlPage.Num(result.Matches)} discovered targets match; the first {result.Sightings.Count} are explained.");
        }

        foreach (var s in sightings)
        {
            page.Heading($"Seen in job {s.Job}, source {s.Source}, group {s.Group}: {s.Address}", 3);
            var facts = page.Table("Step", "Outcome");
            facts.Row("Relabeling", s.Relabel.Kept
                ? Cell.Status(true, $"kept, identity {s.Identity}")
                : Cell.Status(false, $"dropped by relabel_configs[{s.Relabel.DroppedByRule}] (action {s.DroppedByAction})"));
            if (s.Collision is { } collision)
            {
                facts.Row("Identity", Cell.Status(collision.Served, (collision.Served ? "served; " : "not served; ")
                    + $"{collision.Others.Count} other discovered target(s) have the same identity after relabeling and count as one: "
                    + string.Join("; ", collision.Others.Select(o => $"{o.Address} from {o.Source} {o.Group}{(o.Served ? " (served)" : "")}"))));
            }

            if (s.Allocation is { } a)
            {
                facts.Row("Allocation", a.Collector is { } collector
                    ? new Cell($"{HtmlPage.Encode("collector ")}{HtmlPage.Link(CollectorHref(collector), collector)}{HtmlPage.Encode(a.CollectorNode is { Length: > 0 } n ? " on node " + n : "")}{HtmlPage.Encode($" (strategy {a.Strategy}, since snapshot {a.AssignedGeneration})")}", "ok")
                    : Cell.Status(false, $"unassigned: {a.UnassignedReason} (strategy {a.Strategy}{(a.TargetNode.Length > 0 ? ", target node " + a.TargetNode : "")}; collectors: {(a.Collectors.Count == 0 ? "none" : string.Join(", ", a.Collectors))})"));
            }

            if (s.SecretsWithheld is { } withheld)
            {
                facts.Row("Credentials", Cell.Status(false, withheld));
            }

            if (s.LastPoll is { } poll)
            {
                facts.Row("Last poll", Cell.Status(poll.ContainedTarget == true, poll.Detail));
            }

            facts.End();

            var trace = page.Table("Rule", "Action", "Changes", "Result");
            foreach (var step in s.Relabel.Steps)
            {
                var rule = step.RuleIndex >= 0 && !step.AddedByAllocator ? $"relabel_configs[{step.RuleIndex.ToString(CultureInfo.InvariantCulture)}]" : step.Note ?? "";
                var changes = step.Step.Changes();
                var changeText = changes.Count == 0 ? "no change" : string.Join(", ", changes.Select(c =>
                    c.Old is null ? $"+{c.Name}=\"{c.New}\"" : c.New is null ? $"-{c.Name}" : $"{c.Name}: \"{c.Old}\" → \"{c.New}\""));
                trace.Row(rule, step.Step.ActionName, Cell.Labels(changeText), Cell.Status(step.Step.Kept, step.Step.Kept ? "kept" : "dropped"));
            }

            trace.End();
            if (s.Relabel.Output is { } output)
            {
                page.Paragraph("Labels after relabeling: " + LabelText(output, 2000));
            }
        }

        if (result.UnknownCollectors.Count > 0)
        {
            page.Heading("Polls by unknown collector ids", 3);
            var unknown = page.Table("collector_id", "Job", "Time");
            foreach (var u in result.UnknownCollectors)
            {
                unknown.Row(u.CollectorId, u.Job, u.Time.ToString("u", CultureInfo.InvariantCulture));
            }

            unknown.End();
        }
    }
}
