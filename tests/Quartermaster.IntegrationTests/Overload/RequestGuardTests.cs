using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartermaster.Api;
using Quartermaster.Hosting;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests.Overload;

/// <summary>
/// The overload guard on the real service. A permit held through the guard's own limiter stands in for a request in
/// flight, so the tests decide exactly when every permit is taken; no timing is involved.
/// </summary>
public sealed class RequestGuardTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static string Config(int permits, int queue, string more = "") => $$"""
        collectors: {static: [collector-0]}
        http_server: {concurrency_limit: {{permits}}, queue_limit: {{queue}}{{more}}}
        config:
          scrape_configs:
            - job_name: web
              static_configs:
                - targets: ["10.0.0.1:80"]
        """;

    [Theory]
    [InlineData("/scrape_configs")]
    [InlineData("/jobs")]
    [InlineData("/jobs/web/targets?collector_id=collector-0")]
    [InlineData("/collectors")]
    [InlineData("/ui/jobs")]
    public async Task DataEndpoint_EveryPermitTakenAndNoQueue_Answers503WithRetryAfter(string path)
    {
        await using var host = await AllocatorHost.StartAsync(Config(permits: 1, queue: 0));
        using (var held = TakePermit(host))
        {

            using var rejected = await host.Client.GetAsync(path);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), rejected.Headers.RetryAfter?.Delta);
            Assert.Equal(RequestGuard.RejectionText, await rejected.Content.ReadAsStringAsync());

            // The receiver parses /scrape_configs bodies whatever the status: an empty or mapping body would replace its jobs.
            Assert.DoesNotContain(": ", RequestGuard.RejectionText, StringComparison.Ordinal);
            Assert.NotEqual("", RequestGuard.RejectionText.Trim());
        }

        using var served = await host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task ProbesAndMetrics_EveryPermitTaken_StillAnswerAndCountTheRejections()
    {
        await using var host = await AllocatorHost.StartAsync(Config(permits: 1, queue: 0));
        using var held = TakePermit(host);

        using (var first = await host.Client.GetAsync("/scrape_configs"))
        using (var second = await host.Client.GetAsync("/scrape_configs"))
        using (var jobs = await host.Client.GetAsync("/jobs/web/targets?collector_id=collector-0"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, jobs.StatusCode);
        }

        using (var livez = await host.Client.GetAsync("/livez"))
        using (var readyz = await host.Client.GetAsync("/readyz?verbose"))
        {
            Assert.Equal(HttpStatusCode.OK, livez.StatusCode);
            Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        }

        // The exporter caches its answer briefly; poll until the counts appear.
        await AllocatorHost.WaitUntilAsync(
            async () =>
            {
                using var metrics = await host.Client.GetAsync("/metrics");
                Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
                var text = await metrics.Content.ReadAsStringAsync();
                return System.Text.RegularExpressions.Regex.IsMatch(text, "quartermaster_http_requests_rejected_total\\{[^}]*endpoint=\"/scrape_configs\"[^}]*\\} 2\\b")
                    && System.Text.RegularExpressions.Regex.IsMatch(text, "quartermaster_http_requests_rejected_total\\{[^}]*endpoint=\"/jobs/:job_id/targets\"[^}]*\\} 1\\b");
            },
            Timeout,
            "the rejections counted per endpoint on /metrics");
    }

    [Fact]
    public async Task QueuedRequest_PermitReleased_IsServedWhileTheNextOneIsRejected()
    {
        await using var host = await AllocatorHost.StartAsync(Config(permits: 1, queue: 1));
        var held = TakePermit(host);

        var queued = host.Client.GetAsync("/jobs");
        await AllocatorHost.WaitUntilAsync(
            () => Task.FromResult(host.Services.GetRequiredService<RequestGuard>().Limiter.GetStatistics(new DefaultHttpContext())?.CurrentQueuedCount == 1),
            Timeout,
            "the request to wait in the queue");
        using (var rejected = await host.Client.GetAsync("/scrape_configs"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        }

        held.Dispose();

        using var served = await queued.WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Limits_ReloadRaisesConcurrencyLimit_NextRequestIsServed()
    {
        await using var host = await AllocatorHost.StartAsync(Config(permits: 1, queue: 0));
        using var held = TakePermit(host);
        using (var rejected = await host.Client.GetAsync("/jobs"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        }

        await File.WriteAllTextAsync(host.ConfigPath, Config(permits: 2, queue: 0));
        var config = host.Services.GetRequiredService<ConfigService>();
        await AllocatorHost.WaitUntilAsync(
            () => Task.FromResult(config.Current?.HttpServer.ConcurrencyLimit == 2),
            Timeout,
            "the reload raising concurrency_limit to 2");

        using var served = await host.Client.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task MaxConnections_Configured_SetsKestrelConnectionLimit()
    {
        await using var host = await AllocatorHost.StartAsync(Config(permits: 4, queue: 10, ", max_connections: 3"));

        var kestrel = host.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(3, kestrel.Limits.MaxConcurrentConnections);
    }

    /// <summary>Takes one of the guard's permits directly, as a request in flight would hold it.</summary>
    private static System.Threading.RateLimiting.RateLimitLease TakePermit(AllocatorHost host)
    {
        var lease = host.Services.GetRequiredService<RequestGuard>().Limiter.AttemptAcquire(new DefaultHttpContext());
        Assert.True(lease.IsAcquired);
        return lease;
    }
}
