using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.Features;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Explain;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Serving;

namespace Quartermaster.Api;

/// <summary>
/// The HTTP API the collectors' Prometheus receiver polls, byte-compatible with upstream (spec upstream-ta.md §2).
/// Every response is a stored byte array from the current snapshot: a request does no per-target work.
/// </summary>
internal static class ApiEndpoints
{
    private const string Json = "application/json";

    private static readonly TimeSpan ExplainTimeout = TimeSpan.FromSeconds(10);

    public static void Map(WebApplication app, TargetPipeline pipeline, Func<bool> allowInsecureAuthSecrets)
    {
        var polls = app.Services.GetRequiredService<PollTracker>();
        var duration = app.Services.GetRequiredService<IMeterFactory>()
            .Create(new MeterOptions(PipelineMetrics.MeterName))
            .CreateHistogram<double>(
                "opentelemetry_allocator_http_duration_seconds",
                unit: "s",
                description: "Duration of received server requests.",
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000] });

        app.Use(async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            await next(context);
            if (duration.Enabled)
            {
                duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new KeyValuePair<string, object?>("path", RouteLabel(context)));
            }
        });

        // The overload guard (RequestGuard): every route below takes a permit, except the probes (and /metrics,
        // mapped by the host), which opt out so they keep answering under load.
        app.UseRateLimiter();

        app.MapGet("/livez", () => Results.Ok()).DisableRateLimiting();
        var rbac = app.Services.GetRequiredService<Discovery.RbacService>();
        var collectorSource = app.Services.GetRequiredService<Discovery.CollectorService>();
        var discovery = app.Services.GetRequiredService<Discovery.DiscoveryManager>();
        var prometheusCr = app.Services.GetRequiredService<Discovery.PrometheusCrService>();
        var configService = app.Services.GetRequiredService<Hosting.ConfigService>();
        var httpsState = app.Services.GetRequiredService<Hosting.HttpsListenerState>();
        app.MapGet("/readyz", (HttpContext ctx) =>
        {
            var snapshot = pipeline.Current;
            var status = snapshot.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            if (!ctx.Request.Query.ContainsKey("verbose"))
            {
                // Upstream's answer: the status code alone, empty body.
                return Results.StatusCode(status);
            }

            // Like the Kubernetes API server's /readyz?verbose: one line per check, then the verdict. Only the
            // configuration decides readiness; the other lines explain what would keep targets from being scraped.
            var lines = new List<string>
            {
                snapshot.IsReady ? $"[+] config applied (version {snapshot.ConfigVersion})" : "[-] config not applied yet",
                snapshot.NoCollectors
                    ? $"[-] no collectors{(collectorSource.LastError is { } e ? ": " + e : "")}; targets are kept but served to nobody"
                    : $"[+] collectors: {snapshot.Collectors.Count}",
                $"[{(snapshot.UnassignedCount == 0 ? "+" : "-")}] targets: {snapshot.TargetCount}, unassigned: {snapshot.UnassignedCount}",
            };
            lines.AddRange(rbac.Missing.Select(p => $"[-] missing permission: {p}"));
            if (rbac.LastError is { } rbacError)
            {
                lines.Add($"[-] permission check failed: {rbacError}");
            }

            lines.AddRange(discovery.Sources.Where(s => s.LastError is not null).Select(s => $"[-] discovery {s.Mechanism} {s.Name} of job {s.Job} failing (last targets kept): {s.LastError}"));
            if (prometheusCr.Current is { } cr)
            {
                lines.Add($"[+] prometheus_cr: {cr.Jobs.Count} generated jobs");
                lines.AddRange(cr.UnavailableKinds.Select(k => $"[-] prometheus_cr: CRD of {k} not served by the API server; not watched"));
                lines.AddRange(cr.Rejected.Select(r => $"[-] prometheus_cr: {r.Kind} {r.Namespace}/{r.Name} rejected: {r.Reason}"));
                lines.AddRange(cr.KeptLastGood.Select(r => $"[-] prometheus_cr: {r.Kind} {r.Namespace}/{r.Name} not regenerated, last good jobs kept: {r.Reason}"));
            }

            if (httpsState.Certificates is { } certificates)
            {
                lines.Add(certificates.LoadError is { } tlsError
                    ? $"[-] https listener: {(certificates.HasCertificate ? "serving the previous certificate" : "refusing handshakes")}; the TLS files cannot be used: {tlsError}"
                    : "[+] https listener: certificate loaded");
            }

            lines.AddRange(configService.SecretsWithheld.Select(j =>
                $"[-] job {j}: credentials withheld (served redacted; enable https or allow_insecure_auth_secrets)"));
            lines.Add(snapshot.IsReady ? "readyz check passed" : "readyz check failed");
            return Results.Text(string.Join("\n", lines) + "\n", "text/plain; charset=utf-8", statusCode: status);
        }).DisableRateLimiting();

        var ui = app.Services.GetRequiredService<Ui.UiPages>();
        app.MapGet("/scrape_configs", (HttpContext ctx) =>
        {
            if (Ui.UiEndpoints.WantsHtml(ctx))
            {
                return ui.ScrapeConfigs();
            }

            var snapshot = pipeline.Current;
            var reveal = ctx.Request.IsHttps || allowInsecureAuthSecrets();
            var body = (reveal ? snapshot.ScrapeConfigsWithSecrets : snapshot.ScrapeConfigsRedacted) ?? [];
            return Bytes(ctx, body);
        });

        app.MapGet("/jobs", (HttpContext ctx) => Ui.UiEndpoints.WantsHtml(ctx) ? ui.Jobs() : Bytes(ctx, pipeline.Current.JobsJson));

        // Not in upstream: every collector with its target count and when it last polled each job, plus the
        // collector ids that polled but match no collector.
        app.MapGet("/collectors", () =>
        {
            var snapshot = pipeline.Current;
            var collectors = new SortedDictionary<string, object>(StringComparer.Ordinal);
            foreach (var name in snapshot.Collectors)
            {
                collectors[name] = new
                {
                    targets = snapshot.TargetsPerCollector.GetValueOrDefault(name),
                    last_polls = new SortedDictionary<string, string>(
                        polls.PollsOf(name).ToDictionary(p => p.Key, p => Iso(p.Value)), StringComparer.Ordinal),
                };
            }

            return Results.Json(new
            {
                collectors,
                unknown_collector_ids = new SortedDictionary<string, string>(
                    polls.UnknownCollectors.ToDictionary(p => p.Key, p => Iso(p.Value)), StringComparer.Ordinal),
                targets = snapshot.TargetCount,
                unassigned = snapshot.UnassignedCount,
                config_version = snapshot.ConfigVersion,
            });
        });

        // Not in upstream: why a target is, or is not, served. Answered on the pipeline's loop between batches, so it
        // costs the hot routes nothing but the time the loop spends on it.
        app.MapGet("/explain", async (HttpContext ctx) =>
        {
            var query = ctx.Request.Query;
            if (!ExplainQuery.TryParse(query["target"].ToString(), query.TryGetValue("job", out var job) ? job.ToString() : null, out var explainQuery, out var error))
            {
                return Results.Json(new { error, expected = ExplainQuery.ExpectedForm }, statusCode: StatusCodes.Status400BadRequest);
            }

            var context = ExplainContextFor(polls, discovery, rbac, configService, prometheusCr);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
            timeout.CancelAfter(ExplainTimeout);
            ExplainResult result;
            try
            {
                result = await pipeline.ExplainAsync(explainQuery, context, timeout.Token);
            }
            catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                return Results.Json(new { error = $"the pipeline did not answer within {ExplainTimeout.TotalSeconds}s" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Text(ExplainJson.Write(result), Json + "; charset=utf-8", result.Found ? StatusCodes.Status200OK : StatusCodes.Status404NotFound);
        });

        // Matched on the raw request target: job names hold '/', sent as %2F, which routing would not give back intact.
        app.MapGet("/jobs/{*rest}", (HttpContext ctx) =>
        {
            if (!TryJobFromRawTarget(ctx, out var job, out var error))
            {
                return error is null ? Results.Text("404 page not found", "text/plain", statusCode: 404) : BadRequest(error);
            }

            var snapshot = pipeline.Current;
            var query = ctx.Request.Query;
            if (query.TryGetValue("collector_id", out var ids))
            {
                var collectorId = ids[0] ?? "";
                polls.Record(snapshot, job, collectorId);
                return Bytes(ctx, snapshot.StoredTargetsFor(job, collectorId));
            }

            return Bytes(ctx, snapshot.Jobs.TryGetValue(job, out var view) ? view.CollectorMap : EmptyCollectorMap(snapshot, job));
        });
    }

    /// <summary>
    /// The route template a request matched, as metrics label it (<c>""</c> when none matched). Upstream labels
    /// requests with its router's template, so the job targets route is <c>/jobs/:job_id/targets</c>.
    /// </summary>
    internal static string RouteLabel(HttpContext context)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "";
        return route == "/jobs/{*rest}" ? "/jobs/:job_id/targets" : route;
    }

    /// <summary>Prometheus Operator reasons for a target that no job discovered: unset selectors and missing CRDs.</summary>
    internal static IReadOnlyList<string> PrometheusCrNotes(Core.Config.PrometheusCrConfig? cr, IEnumerable<Kubernetes.PrometheusOperator.MonitoringKind>? unavailable)
    {
        if (cr is not { Enabled: true })
        {
            return [];
        }

        var notes = new List<string>();
        foreach (var (key, selector, kind) in new[]
        {
            ("service_monitor_selector", cr.ServiceMonitorSelector, "ServiceMonitor"),
            ("pod_monitor_selector", cr.PodMonitorSelector, "PodMonitor"),
            ("probe_selector", cr.ProbeSelector, "Probe"),
            ("scrape_config_selector", cr.ScrapeConfigSelector, "ScrapeConfig"),
        })
        {
            if (selector is null)
            {
                notes.Add($"prometheus_cr.{key} is not set, so no {kind} is selected (an unset selector selects nothing; {{}} selects all)");
            }
        }

        notes.AddRange((unavailable ?? []).Select(k => $"the API server does not serve the {k} CRD, so no {k} is watched"));
        return notes;
    }

    /// <summary>What explain reads from outside the pipeline: poll history, source health, the RBAC preflight.</summary>
    internal static ExplainContext ExplainContextFor(PollTracker polls, Discovery.DiscoveryManager discovery, Discovery.RbacService rbac, Hosting.ConfigService config, Discovery.PrometheusCrService? prometheusCr = null) => new()
    {
        SecretsWithheld = job => config.SecretsWithheld.Contains(job, StringComparer.Ordinal),
        DiscoveryNotes = PrometheusCrNotes(config.Current?.PrometheusCr, prometheusCr?.Current?.UnavailableKinds),
        LastPoll = polls.LastPoll,
        UnknownCollectors = polls.UnknownPolls(),
        SourceError = SourceErrors(discovery.Sources),
        MissingPermissions = sd =>
        {
            var missing = rbac.Missing;
            return missing.Count == 0 || sd.ApiServer.Length > 0 || sd.KubeconfigFile.Length > 0
                ? []
                : [.. Kubernetes.Rbac.RbacPreflight.RequiredFor(sd).Where(missing.Contains).Select(p => p.ToString())];
        },
    };

    /// <summary>The last error of each job's discovery source, keyed as the pipeline keys sources (<c>file_sd/0</c>).</summary>
    private static Func<string, string, string?> SourceErrors(IReadOnlyList<SourceStatus> sources)
    {
        var byKey = new Dictionary<(string Job, string Key), string?>();
        foreach (var perJob in sources.GroupBy(s => (s.Job, s.Mechanism)))
        {
            var i = 0;
            foreach (var status in perJob)
            {
                byKey[(perJob.Key.Job, perJob.Key.Mechanism + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))] = status.LastError;
                i++;
            }
        }

        return (job, key) => byKey.GetValueOrDefault((job, key));
    }

    /// <summary>Upstream lists every collector even for an unknown job, with empty target arrays.</summary>
    private static byte[] EmptyCollectorMap(ServingSnapshot snapshot, string job) =>
        ResponseWriter.CollectorMap(job, snapshot.Collectors, _ => ServingSnapshot.EmptyTargets);

    private static string Iso(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static IResult Bytes(HttpContext ctx, byte[] body)
    {
        ctx.Response.ContentType = Json;
        if (body.Length >= GzipBodies.MinimumSize && AcceptsGzip(ctx.Request))
        {
            // Upstream never compresses; HTTP clients (Go's included) decompress transparently, so the bytes a
            // collector parses are the same, and the wire carries a fraction of them.
            ctx.Response.Headers.ContentEncoding = "gzip";
            ctx.Response.Headers.Vary = "Accept-Encoding";
            return Results.Bytes(GzipBodies.Get(body), Json);
        }

        return Results.Bytes(body, Json);
    }

    private static IResult Bytes(HttpContext ctx, StoredBody body)
    {
        ctx.Response.ContentType = Json;
        if ((body.IsGzip || body.Length >= GzipBodies.MinimumSize) && AcceptsGzip(ctx.Request))
        {
            ctx.Response.Headers.ContentEncoding = "gzip";
            ctx.Response.Headers.Vary = "Accept-Encoding";
            return Results.Bytes(body.Gzip, Json);
        }

        // A body kept compressed (http_server.compress_stored_bodies) goes to a client without gzip decompressed.
        return Results.Bytes(body.Plain, Json);
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var value in request.Headers.AcceptEncoding)
        {
            if (value is not null && value.Contains("gzip", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static IResult BadRequest(string reason) => Results.Text(reason + "\n", "text/plain; charset=utf-8", statusCode: 400);

    /// <summary>
    /// Extracts the job from <c>/jobs/{job}/targets</c> as upstream does: the raw segment through
    /// <c>url.QueryUnescape</c>. Where upstream answers 500 for an undecodable name (§11 Q6) this gives a reason and 400.
    /// </summary>
    internal static bool TryJobFromRawTarget(HttpContext ctx, out string job, out string? error)
    {
        job = "";
        error = null;
        var raw = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ctx.Request.Path.Value ?? "";
        var queryStart = raw.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart >= 0 ? raw[..queryStart] : raw;
        const string prefix = "/jobs/";
        const string suffix = "/targets";
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || !path.EndsWith(suffix, StringComparison.Ordinal) || path.Length < prefix.Length + suffix.Length + 1)
        {
            return false;
        }

        var segment = path[prefix.Length..^suffix.Length];
        if (segment.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        if (!GoJson.TryQueryUnescape(segment, out job))
        {
            error = $"invalid job name in path: {segment} is not valid percent-encoding";
            return false;
        }

        return true;
    }
}
