using System.Globalization;
using System.Text;
using System.Text.Json;
using Quartermaster.Core.Explain;
using Quartermaster.Core.Serving;
using Quartermaster.Core.Targets;

namespace Quartermaster.Ui;

internal sealed partial class UiPages
{
    private volatile PrettyConfigs? _prettyScrapeConfigs;

    public IResult Targets(HttpContext ctx)
    {
        if (!Paging.TryParse(ctx.Request.Query, out var paging, out var error))
        {
            return BadPaging(error);
        }

        var snapshot = pipeline.Current;
        var q = Param(ctx, "q");
        var page = new HtmlPage("Targets");
        page.SearchForm("/ui/targets", q);
        var (rows, total, more) = TargetSearch.Page(AllSegments(snapshot), paging, TargetSearch.Parse(q));
        if (!string.IsNullOrWhiteSpace(q) && total == 0)
        {
            page.Paragraph($"No target matches \"{q.Trim()}\".");
        }

        page.Pager("/ui/targets", [("q", q)], paging, total, more);
        TargetTable(page, rows);
        return page.ToResult();
    }

    public IResult Unassigned(HttpContext ctx)
    {
        if (!Paging.TryParse(ctx.Request.Query, out var paging, out var error))
        {
            return BadPaging(error);
        }

        var snapshot = pipeline.Current;
        var page = new HtmlPage("Unassigned targets");
        if (snapshot.UnassignedCount == 0)
        {
            page.Paragraph("Every target has a collector.", "ok");
            return page.ToResult();
        }

        var segments = new List<TargetSegment>();
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var job in snapshot.Jobs.Keys.Order(StringComparer.Ordinal))
        {
            var unassigned = snapshot.Jobs[job].Unassigned;
            if (unassigned.Count > 0)
            {
                segments.Add(new TargetSegment(unassigned));
            }
        }

        // Reasons are counted over one page's worth of distinct reasons only when few targets are unassigned; with
        // many (no collectors at all) they share one reason, which the first target of each job already shows.
        foreach (var segment in segments)
        {
            for (var i = 0; i < segment.Count && i < Paging.MaxSize; i++)
            {
                var reason = segment[i].UnassignedReason ?? "";
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
        }

        page.Heading("Reasons");
        var table = page.Table("Reason", "Targets (sampled)");
        foreach (var (reason, count) in reasons)
        {
            table.Row(reason, Cell.Number(count));
        }

        table.End();
        var (rows, total, _) = TargetSearch.Page(segments, paging, null);
        page.Heading("Targets");
        page.Pager("/ui/unassigned", [], paging, total);
        TargetTable(page, rows);
        return page.ToResult();
    }

    public async Task<IResult> Target(HttpContext ctx, string? job, string? hashText, bool upstreamParams)
    {
        var hashName = upstreamParams ? "target_hash" : "hash";
        var example = upstreamParams ? "/debug/target?target_hash=42" : "/ui/target?job=my-job&hash=42";
        if (string.IsNullOrEmpty(hashText) || hashText == "0")
        {
            return HtmlPage.Error(StatusCodes.Status400BadRequest, "Bad request", $"Expected {hashName} in the query string, as in {example}.");
        }

        if (!ulong.TryParse(hashText, NumberStyles.None, CultureInfo.InvariantCulture, out var hash))
        {
            return HtmlPage.Error(StatusCodes.Status400BadRequest, "Bad request", $"Expected {hashName} to be a number (the target's decimal identity hash), as in {example}; got \"{hashText}\".");
        }

        var snapshot = pipeline.Current;
        if (!TryFind(snapshot, job, hash, out var item, out var collector))
        {
            var where = string.IsNullOrEmpty(job) ? "" : $" in job \"{job}\"";
            return HtmlPage.Error(StatusCodes.Status404NotFound, "Target not found", $"Unknown target: no target with hash {hash}{where}. It may have gone since the link was made; search at /ui/targets.");
        }

        var page = new HtmlPage("Target: " + item.TargetUrl);
        string? reason = null;
        if (collector is null && snapshot.Jobs.TryGetValue(item.JobName, out var view))
        {
            reason = view.Unassigned.FirstOrDefault(u => u.Item.Hash == hash)?.Reason;
        }

        page.Table("Property", "Value")
            .Row("Job", Cell.Link(JobHref(item.JobName), item.JobName))
            .Row("Collector", collector is null ? Cell.Status(false, "unassigned: " + (reason ?? "no collector")) : Cell.Link(CollectorHref(collector), collector))
            .Row("Address", item.TargetUrl)
            .Row("Identity hash", hash.ToString(CultureInfo.InvariantCulture))
            .Row("Node", item.NodeName)
            .Row("Namespace", item.GetLabel("__meta_kubernetes_namespace"))
            .Row("Service", item.GetLabel("__meta_kubernetes_service_name"))
            .Row("Pod", item.GetLabel("__meta_kubernetes_pod_name"))
            .Row("Endpoint slice", item.GetLabel("__meta_kubernetes_endpointslice_name"))
            .End();

        page.Heading("Labels before relabeling");
        var labels = page.Table("Label", "Value");
        foreach (var label in item.Labels)
        {
            labels.Row(Cell.Labels(label.Name), Cell.Labels(label.Value));
        }

        labels.End();

        page.Heading("Explain");
        var explained = await RunExplainAsync(ExplainQuery.ForAddress(item.TargetUrl, item.JobName), ctx.RequestAborted);
        if (explained is null)
        {
            page.Paragraph($"The pipeline did not answer within {ExplainTimeout.TotalSeconds}s; reload to try again.", "bad");
        }
        else
        {
            RenderExplain(page, explained, hash);
        }

        return page.ToResult();
    }

    public IResult ScrapeConfigs()
    {
        var snapshot = pipeline.Current;
        var page = new HtmlPage("Scrape configs");
        var body = snapshot.ScrapeConfigsRedacted;
        if (body is null)
        {
            page.Paragraph("No configuration has been applied yet.", "bad");
            return page.ToResult();
        }

        page.LinkParagraph("Secrets are shown as <secret>. The same content as JSON:", "/scrape_configs", "/scrape_configs");
        var table = page.Table("Job", "Scrape config");
        foreach (var (job, pretty) in PrettyScrapeConfigs(body))
        {
            table.Row(Cell.Link(JobHref(job), job), new Cell("<pre>" + HtmlPage.Encode(pretty) + "</pre>"));
        }

        table.End();
        return page.ToResult();
    }

    /// <summary>Indented per job, computed once per applied configuration.</summary>
    private List<(string Job, string Pretty)> PrettyScrapeConfigs(byte[] body)
    {
        var cached = _prettyScrapeConfigs;
        if (cached is not null && ReferenceEquals(cached.Source, body))
        {
            return cached.Jobs;
        }

        var jobs = new List<(string, string)>();
        using (var doc = JsonDocument.Parse(body))
        {
            foreach (var property in doc.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    property.Value.WriteTo(writer);
                }

                jobs.Add((property.Name, Encoding.UTF8.GetString(buffer.WrittenSpan)));
            }
        }

        _prettyScrapeConfigs = new PrettyConfigs(body, jobs);
        return jobs;
    }

    private static bool TryFind(ServingSnapshot snapshot, string? job, ulong hash, out TargetItem item, out string? collector)
    {
        if (!string.IsNullOrEmpty(job))
        {
            if (snapshot.Jobs.TryGetValue(job, out var view) && view.TryFind(hash, out item, out collector))
            {
                return true;
            }

            item = null!;
            collector = null;
            return false;
        }

        foreach (var view in snapshot.Jobs.Values)
        {
            if (view.TryFind(hash, out item, out collector))
            {
                return true;
            }
        }

        item = null!;
        collector = null;
        return false;
    }

    private sealed record PrettyConfigs(byte[] Source, List<(string Job, string Pretty)> Jobs);
}
