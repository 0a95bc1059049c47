using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Quartermaster.Tests.Discovery;

/// <summary>A real Kestrel server on 127.0.0.1 with a swappable response, recording each request's headers.</summary>
internal sealed class SdTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<IHeaderDictionary> _requests = Channel.CreateUnbounded<IHeaderDictionary>();
    private volatile Func<HttpContext, Task> _respond = context => Task.CompletedTask;

    private SdTestServer(WebApplication app, string address)
    {
        _app = app;
        BaseAddress = address;
    }

    public string BaseAddress { get; }

    public string Url(string path = "/sd") => BaseAddress + path;

    public static async Task<SdTestServer> StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configure?.Invoke(builder);
        var app = builder.Build();
        if (configure is null)
        {
            app.Urls.Add("http://127.0.0.1:0");
        }

        SdTestServer? server = null;
        app.Run(context =>
        {
            var headers = new HeaderDictionary();
            foreach (var (name, value) in context.Request.Headers)
            {
                headers[name] = value;
            }

            headers["X-Test-Path"] = context.Request.Path.Value;
            headers["X-Test-Host"] = context.Request.Host.Value;
            server!._requests.Writer.TryWrite(headers);
            return server._respond(context);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new SdTestServer(app, address);
        return server;
    }

    /// <summary>Answers every request with <paramref name="body"/> as <c>application/json</c>.</summary>
    public void RespondJson(string body, string contentType = "application/json", int status = 200) =>
        _respond = async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        };

    public void Respond(Func<HttpContext, Task> respond) => _respond = respond;

    public async Task<IHeaderDictionary> NextRequestAsync() =>
        await _requests.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
