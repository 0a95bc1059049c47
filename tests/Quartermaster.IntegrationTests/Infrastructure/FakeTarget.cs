using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Quartermaster.IntegrationTests.Infrastructure;

/// <summary>A scrape target: a loopback HTTP server answering /metrics in the Prometheus text format.</summary>
public sealed class FakeTarget : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _scrapes;

    private FakeTarget(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Address { get; }

    public int Scrapes => Volatile.Read(ref _scrapes);

    /// <summary>Starts a target; with <paramref name="basicAuth"/> it answers 401 to requests without those credentials.</summary>
    public static async Task<FakeTarget> StartAsync((string User, string Password)? basicAuth = null)
    {
        var expected = basicAuth is { } auth
            ? "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(auth.User + ":" + auth.Password))
            : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        FakeTarget? self = null;
        app.MapGet("/metrics", (HttpContext ctx) =>
        {
            if (expected is not null && ctx.Request.Headers.Authorization.ToString() != expected)
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            Interlocked.Increment(ref self!._scrapes);
            return Results.Text("# TYPE fake_up gauge\nfake_up 1\n", "text/plain; version=0.0.4");
        });
        await app.StartAsync();
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new FakeTarget(app, $"127.0.0.1:{url.Port}");
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
