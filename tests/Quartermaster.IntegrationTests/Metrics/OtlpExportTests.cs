using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests.Metrics;

/// <summary>The <c>telemetry</c> block's OTLP/HTTP reader pushes the allocator's metrics to a receiver.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task TelemetryOtlpHttpReader_PushesUpstreamMetricsWithUpstreamResource()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await AllocatorHost.StartAsync($$"""
            collectors:
              static: [collector-0]
            config:
              scrape_configs:
                - job_name: app
                  static_configs:
                    - targets: ["10.0.0.1:9100"]
            telemetry:
              metrics:
                readers:
                  - periodic:
                      interval: 200
                      exporter:
                        otlp_http:
                          endpoint: "{{receiver.Endpoint}}"
                          headers: [{name: X-Scope-OrgID, value: tenant-a}]
            """);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        OtlpRequest request;
        do
        {
            request = await receiver.Requests.ReadAsync(timeout.Token);
        }
        while (!request.Body.Contains("opentelemetry_allocator_targets_per_collector", StringComparison.Ordinal));

        Assert.Equal("/v1/metrics", request.Path);
        Assert.Equal("application/x-protobuf", request.ContentType);
        Assert.Equal("tenant-a", request.Tenant);
        Assert.Contains("target-allocator", request.Body, StringComparison.Ordinal);
        Assert.Contains("service.instance.id", request.Body, StringComparison.Ordinal);
        Assert.Contains("collector-0", request.Body, StringComparison.Ordinal);
    }

    private sealed record OtlpRequest(string Path, string? ContentType, string? Tenant, string Body);

    /// <summary>A minimal OTLP/HTTP metrics receiver on loopback: records each request, answers an empty response.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OtlpReceiver(WebApplication app, Channel<OtlpRequest> requests, string endpoint)
        {
            _app = app;
            Requests = requests.Reader;
            Endpoint = endpoint;
        }

        public ChannelReader<OtlpRequest> Requests { get; }

        public string Endpoint { get; }

        public static async Task<OtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var requests = Channel.CreateUnbounded<OtlpRequest>();
            app.MapPost("/v1/metrics", async (HttpContext ctx) =>
            {
                using var body = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(body);

                // Protobuf strings are stored as raw UTF-8, so names and attribute values are searchable as text.
                var text = Encoding.Latin1.GetString(body.ToArray());
                await requests.Writer.WriteAsync(new OtlpRequest(ctx.Request.Path, ctx.Request.ContentType, ctx.Request.Headers["X-Scope-OrgID"], text));
                ctx.Response.ContentType = "application/x-protobuf";
                ctx.Response.StatusCode = StatusCodes.Status200OK;
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new OtlpReceiver(app, requests, address);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
