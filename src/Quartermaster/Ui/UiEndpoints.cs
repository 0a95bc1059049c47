using Microsoft.AspNetCore.Http.Features;

namespace Quartermaster.Ui;

/// <summary>
/// Maps the HTML pages: the troubleshooting UI under <c>/</c> and <c>/ui/*</c>, and upstream's <c>/debug/*</c> pages
/// (spec upstream-ta.md §2.9) with their query parameters, so existing links and scripts keep working.
/// </summary>
internal static class UiEndpoints
{
    public static void Map(WebApplication app)
    {
        var ui = app.Services.GetRequiredService<UiPages>();
        var pages = app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
            return await next(context);
        });

        pages.MapGet("/", ui.Overview);
        pages.MapGet("/ui/jobs", ui.Jobs);
        pages.MapGet("/ui/jobs/{*rest}", (HttpContext ctx) => ui.Job(ctx, RawRest(ctx, "/ui/jobs/"), Param(ctx, "collector")));
        pages.MapGet("/ui/collectors", ui.Collectors);
        pages.MapGet("/ui/collectors/{*rest}", (HttpContext ctx) => ui.Collector(ctx, RawRest(ctx, "/ui/collectors/")));
        pages.MapGet("/ui/targets", ui.Targets);
        pages.MapGet("/ui/target", (Delegate)(Task<IResult> (HttpContext ctx) => ui.Target(ctx, Param(ctx, "job"), Param(ctx, "hash"), upstreamParams: false)));
        pages.MapGet("/ui/unassigned", ui.Unassigned);
        pages.MapGet("/ui/scrape-configs", ui.ScrapeConfigs);
        pages.MapGet("/ui/explain", (Delegate)ui.Explain);

        pages.MapGet("/debug/scrape_configs", ui.ScrapeConfigs);
        pages.MapGet("/debug/jobs", ui.Jobs);
        pages.MapGet("/debug/job", (HttpContext ctx) => ctx.Request.Query.TryGetValue("job_id", out var ids) && ids.Count == 1
            ? ui.Job(ctx, ids[0] ?? "", null)
            : HtmlPage.Error(StatusCodes.Status400BadRequest, "Bad request", "Expected job_id once in the query string, as in /debug/job?job_id=my-job."));
        pages.MapGet("/debug/targets", ui.Targets);
        pages.MapGet("/debug/target", (Delegate)(Task<IResult> (HttpContext ctx) => ui.Target(ctx, null, Param(ctx, "target_hash"), upstreamParams: true)));
        pages.MapGet("/debug/collectors", ui.Collectors);
        pages.MapGet("/debug/collector", (HttpContext ctx) =>
            ctx.Request.Query.TryGetValue("collector_id", out var ids) && ids.Count == 1 && !string.IsNullOrEmpty(ids[0])
                ? ui.Collector(ctx, ids[0]!)
                : HtmlPage.Error(StatusCodes.Status400BadRequest, "Bad request", "Expected collector_id in the query string, as in /debug/collector?collector_id=my-collector-42."));

        // Upstream's by-collector JSON links here although upstream serves no such page; it shows the job.
        pages.MapGet("/debug/jobs/{*rest}", (HttpContext ctx) =>
        {
            var rest = RawRest(ctx, "/debug/jobs/");
            const string suffix = "/targets";
            var job = rest.EndsWith(suffix, StringComparison.Ordinal) ? rest[..^suffix.Length] : rest;
            return ui.Job(ctx, job, Param(ctx, "collector_id") ?? Param(ctx, "collector"));
        });
    }

    /// <summary>Whether a request to an upstream JSON route asks for HTML instead (upstream: <c>Accept</c> holds <c>text/html</c>).</summary>
    public static bool WantsHtml(HttpContext ctx)
    {
        foreach (var value in ctx.Request.Headers.Accept)
        {
            if (value is not null && value.Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Param(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrEmpty(v[0]) ? v[0] : null;

    /// <summary>
    /// The path after <paramref name="prefix"/>, read from the raw request target and unescaped once, so a name
    /// holding <c>/</c> (sent as <c>%2F</c>) comes back intact.
    /// </summary>
    private static string RawRest(HttpContext ctx, string prefix)
    {
        var raw = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path.Value ?? "";
        var queryStart = raw.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart >= 0 ? raw[..queryStart] : raw;
        var rest = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : (ctx.Request.Path.Value ?? "")[Math.Min(prefix.Length, ctx.Request.Path.Value?.Length ?? 0)..];
        return Uri.UnescapeDataString(rest);
    }
}
