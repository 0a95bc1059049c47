using System.Globalization;
using Quartermaster.Api;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Serving;
using Quartermaster.Core.Targets;
using Quartermaster.Discovery;
using Quartermaster.Hosting;

namespace Quartermaster.Ui;

/// <summary>
/// The server-rendered troubleshooting pages. Each renders from one snapshot read once per request, so a page is
/// consistent with itself; lists are paged from the snapshot's stored runs of targets.
/// </summary>
internal sealed partial class UiPages(
    TargetPipeline pipeline,
    PollTracker polls,
    DiscoveryManager discovery,
    RbacService rbac,
    CollectorService collectorService,
    ConfigService configService,
    TimeProvider time)
{
    private static string? Param(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    private static IResult BadPaging(string error) => HtmlPage.Error(StatusCodes.Status400BadRequest, "Bad request", error);

    private string Age(long unixMilliseconds)
    {
        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 120 ? $"{(int)age.TotalSeconds}s ago"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m ago"
            : $"{(int)age.TotalHours}h ago";
    }

    internal static string JobHref(string job) => "/ui/jobs/" + HtmlPage.Query(job);

    internal static string CollectorHref(string collector) => "/ui/collectors/" + HtmlPage.Query(collector);

    internal static string TargetHref(TargetItem item) =>
        HtmlPage.Href("/ui/target", [("job", item.JobName), ("hash", item.Hash.ToString(CultureInfo.InvariantCulture))]);

    private static string LabelText(ReadOnlySpan<Label> labels, int max = 400)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var label in labels)
        {
            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(label.Name).Append("=\"").Append(label.Value).Append('"');
            if (sb.Length > max)
            {
                sb.Length = max;
                sb.Append('…');
                break;
            }
        }

        return sb.ToString();
    }

    /// <summary>The runs of one job's targets in collector order, then its unassigned targets.</summary>
    private static List<TargetSegment> JobSegments(JobView view, string? collector, bool unassigned)
    {
        var segments = new List<TargetSegment>();
        foreach (var name in view.ItemsByCollector.Keys.Order(StringComparer.Ordinal))
        {
            if (collector is null || name == collector)
            {
                segments.Add(new TargetSegment(name, view.ItemsByCollector[name]));
            }
        }

        if (unassigned && view.Unassigned.Count > 0)
        {
            segments.Add(new TargetSegment(view.Unassigned));
        }

        return segments;
    }

    private static List<TargetSegment> AllSegments(ServingSnapshot snapshot, string? collector = null, bool unassigned = true)
    {
        var segments = new List<TargetSegment>();
        foreach (var job in snapshot.Jobs.Keys.Order(StringComparer.Ordinal))
        {
            segments.AddRange(JobSegments(snapshot.Jobs[job], collector, unassigned));
        }

        return segments;
    }

    private static void TargetTable(HtmlPage page, List<TargetRow> rows, bool showJob = true)
    {
        var headers = showJob ? new[] { "Job", "Target", "Collector", "Labels" } : ["Target", "Collector", "Labels"];
        var table = page.Table(headers);
        foreach (var row in rows)
        {
            var collector = row.Collector is { } c ? Cell.Link(CollectorHref(c), c) : Cell.Status(false, "unassigned: " + row.UnassignedReason);
            var target = Cell.Link(TargetHref(row.Item), row.Item.TargetUrl.Length == 0 ? "(no address)" : row.Item.TargetUrl);
            var labels = Cell.Labels(LabelText(row.Item.Labels));
            if (showJob)
            {
                table.Row(Cell.Link(JobHref(row.Item.JobName), row.Item.JobName), target, collector, labels);
            }
            else
            {
                table.Row(target, collector, labels);
            }
        }

        table.End();
    }
}
