using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Quartermaster.Core.Config;
using Quartermaster.Core.Pipeline;

namespace Quartermaster.Api;

/// <summary>
/// The overload guard of the API and UI: at most <c>http_server.concurrency_limit</c> requests are handled at once,
/// up to <c>http_server.queue_limit</c> more wait for a permit (oldest first), and the rest are answered 503 with
/// <c>Retry-After: 1</c> and counted. <c>/livez</c>, <c>/readyz</c> and <c>/metrics</c> opt out, so probes and
/// monitoring keep answering under load.
/// </summary>
/// <remarks>
/// The limits are read from the configuration in force on every request: the limiter is partitioned by the limits
/// themselves, so an applied reload that changes them takes effect for the next request, while requests admitted
/// under the previous limits finish under those.
/// </remarks>
internal sealed class RequestGuard : IDisposable
{
    /// <summary>
    /// The body of a rejected request. The collectors' receiver does not check the status of <c>/scrape_configs</c>
    /// and parses any body as a YAML map of jobs, keeping its previous jobs only when that fails: so the text is
    /// neither empty (no jobs) nor a YAML mapping (no <c>": "</c>).
    /// </summary>
    public const string RejectionText = "service overloaded (too many API requests in flight and queued), retry after 1 s\n";

    private readonly Func<HttpServerConfig?> _limits;
    private readonly Counter<long> _rejected;

    public RequestGuard(Func<HttpServerConfig?> limits, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _limits = limits;
        _rejected = meterFactory.Create(new MeterOptions(PipelineMetrics.MeterName)).CreateCounter<long>(
            "quartermaster_http_requests_rejected",
            unit: "{request}",
            description: "API and UI requests answered 503 because every permit was taken and the queue was full.");
        Limiter = PartitionedRateLimiter.Create<HttpContext, Limits>(_ =>
        {
            var config = _limits();
            var key = new Limits(
                config?.ConcurrencyLimit ?? HttpServerConfig.DefaultConcurrencyLimit,
                config?.QueueLimit ?? HttpServerConfig.DefaultQueueLimit);
            return RateLimitPartition.GetConcurrencyLimiter(key, static k => new ConcurrencyLimiterOptions
            {
                PermitLimit = k.Permits,
                QueueLimit = k.Queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        });
    }

    /// <summary>The limiter every guarded request takes a permit from.</summary>
    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    /// <summary>Points the rate limiting middleware at this guard: the global limiter, 503, <c>Retry-After: 1</c>.</summary>
    public void Configure(RateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.GlobalLimiter = Limiter;
        options.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
        options.OnRejected = OnRejectedAsync;
    }

    public void Dispose() => Limiter.Dispose();

    private async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        _rejected.Add(1, new KeyValuePair<string, object?>("endpoint", ApiEndpoints.RouteLabel(http)));
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "1";
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(RejectionText, cancellationToken);
    }

    private readonly record struct Limits(int Permits, int Queue);
}
