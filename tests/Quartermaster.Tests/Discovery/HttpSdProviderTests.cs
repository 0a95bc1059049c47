using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Tests.Discovery;

public sealed class HttpSdProviderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly StatusWatcher _status = new();
    private readonly Recorder _recorder = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly List<string> _tempFiles = [];
    private SdTestServer _server = null!;
    private HttpSdProvider? _provider;
    private Task? _run;

    public async ValueTask InitializeAsync() => _server = await SdTestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _provider?.Dispose();
        _cts.Dispose();
        await _server.DisposeAsync();
        foreach (var file in _tempFiles)
        {
            File.Delete(file);
        }
    }

    private void Start(HttpSdConfig config)
    {
        _provider = new HttpSdProvider(config, _status.Status, _time);
        _run = _provider.RunAsync(_recorder.Publish, _cts.Token);
    }

    private void Start(string? path = null, PromDuration? interval = null, HttpClientConfig? client = null) =>
        Start(new HttpSdConfig
        {
            Url = _server.Url(path ?? "/sd"),
            RefreshInterval = interval ?? PromDuration.FromSeconds(60),
            HttpClient = client ?? new HttpClientConfig(),
        });

    private string TempFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), "qm-sd-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, content);
        _tempFiles.Add(path);
        return path;
    }

    private string Group(int index, string targets, string labels = "") =>
        $"{_server.Url()}:{index} {targets} __meta_url=\"{_server.Url()}\"{labels}";

    private async Task TickAsync()
    {
        _time.Advance(TimeSpan.FromSeconds(60));
        await Task.Yield();
    }

    [Fact]
    public async Task RunAsync_GoodResponse_PublishesGroupsWithUrlLabelAndReportsSuccess()
    {
        _server.RespondJson("""[{"targets":["a:1","a:2"],"labels":{"env":"prod"}},{"targets":["b:1"]}]""", "application/json; charset=utf-8");

        Start();

        Assert.Equal(
            [
                Group(0, """{__address__="a:1"},{__address__="a:2"}""", ",env=\"prod\""),
                Group(1, """{__address__="b:1"}"""),
            ],
            Recorder.Render(await _recorder.NextAsync()));
        Assert.Null(_status.Status.LastError);
        Assert.Equal(0, _status.Status.Failures);
    }

    [Fact]
    public async Task RunAsync_Request_SendsPrometheusHeaders()
    {
        _server.RespondJson("[]");

        Start(interval: PromDuration.FromSeconds(90));
        var headers = await _server.NextRequestAsync();

        Assert.Equal(HttpSdProvider.UserAgent, headers.UserAgent.ToString());
        Assert.Matches(@"^Quartermaster/\d+\.\d+", headers.UserAgent.ToString());
        Assert.Equal("application/json", headers.Accept.ToString());
        Assert.Equal("90", headers["X-Prometheus-Refresh-Interval-Seconds"].ToString());
        Assert.False(headers.ContainsKey("Authorization"));
        Assert.Empty(await _recorder.NextAsync());
    }

    [Theory]
    [InlineData(1500, "1.5")]
    [InlineData(60_000, "60")]
    [InlineData(250, "0.25")]
    [InlineData(3_600_001, "3600.001")]
    public async Task RunAsync_FractionalInterval_HeaderInShortestForm(long milliseconds, string expected)
    {
        _server.RespondJson("[]");

        Start(interval: new PromDuration(milliseconds));
        var headers = await _server.NextRequestAsync();

        Assert.Equal(expected, headers["X-Prometheus-Refresh-Interval-Seconds"].ToString());
    }

    [Fact]
    public async Task RunAsync_WrongStatus_ReportsStatusAndKeepsLastTargets()
    {
        _server.RespondJson("""[{"targets":["a:1"]}]""");
        Start();
        Assert.Single(await _recorder.NextAsync());

        _server.RespondJson("""[]""", status: 503);
        await TickAsync();

        Assert.Equal("server returned HTTP status 503 Service Unavailable", await _status.NextChangeAsync());
        Assert.False(_recorder.TryTake(out _));

        _server.RespondJson("""[{"targets":["a:1"]}]""");
        await TickAsync();
        Assert.Null(await _status.NextChangeAsync());
        Assert.False(_recorder.TryTake(out _));
    }

    [Theory]
    [InlineData("text/plain", "unsupported content type \"text/plain\"")]
    [InlineData("application/json; charset=latin1", "unsupported content type \"application/json; charset=latin1\"")]
    [InlineData("application/jsonx", "unsupported content type \"application/jsonx\"")]
    public async Task RunAsync_WrongContentType_ReportsIt(string contentType, string expected)
    {
        _server.RespondJson("""[{"targets":["a:1"]}]""", contentType);

        Start();

        Assert.Equal(expected, await _status.NextChangeAsync());
        Assert.False(_recorder.TryTake(out _));
    }

    [Fact]
    public async Task RunAsync_NoContentType_ReportsEmptyType()
    {
        _server.Respond(context => context.Response.Body.WriteAsync("[]"u8.ToArray(), context.RequestAborted).AsTask());

        Start();

        Assert.Equal("unsupported content type \"\"", await _status.NextChangeAsync());
    }

    [Theory]
    [InlineData("APPLICATION/JSON")]
    [InlineData("application/json;charset=\"utf-8\"")]
    [InlineData("Application/Json;  CHARSET=UTF-8")]
    public async Task RunAsync_AcceptedContentTypeSpellings_Published(string contentType)
    {
        _server.RespondJson("""[{"targets":["a:1"]}]""", contentType);

        Start();

        Assert.Equal([Group(0, """{__address__="a:1"}""")], Recorder.Render(await _recorder.NextAsync()));
    }

    [Theory]
    [InlineData("this is not json", "at line 1, column 2")]
    [InlineData("""{"targets":["a"]}""", "json: cannot unmarshal object into a list of target groups at line 1, column 1")]
    [InlineData("""[{"targets":["a"]},null]""", "nil target group item found")]
    [InlineData("", "unexpected end of JSON input")]
    public async Task RunAsync_BadBody_ReportsParseError(string body, string expected)
    {
        _server.RespondJson(body);

        Start();

        Assert.EndsWith(expected, await _status.NextChangeAsync());
        Assert.False(_recorder.TryTake(out _));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    public async Task RunAsync_NullOrEmptyList_PublishesNoGroups(string body)
    {
        _server.RespondJson(body);

        Start();

        Assert.Empty(await _recorder.NextAsync());
    }

    [Fact]
    public async Task RunAsync_ServerSlowerThanInterval_TimesOut()
    {
        _server.Respond(async context =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });

        Start(interval: new PromDuration(200));

        Assert.Equal(
            $"Get \"{_server.Url()}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            await _status.NextChangeAsync());
        Assert.False(_recorder.TryTake(out _));
    }

    [Fact]
    public async Task RunAsync_GroupsVanish_PublishesThemEmpty()
    {
        _server.RespondJson("""[{"targets":["a:1"]},{"targets":["b:1"]},{"targets":["c:1"]}]""");
        Start();
        Assert.Equal(3, (await _recorder.NextAsync()).Count);

        _server.RespondJson("""[{"targets":["a:1"]}]""");
        await TickAsync();

        Assert.Equal([$"{_server.Url()}:1  ", $"{_server.Url()}:2  "], Recorder.Render(await _recorder.NextAsync()));
    }

    [Fact]
    public async Task RunAsync_OneGroupChanges_PublishesOnlyThatGroup()
    {
        _server.RespondJson("""[{"targets":["a:1"]},{"targets":["b:1"]}]""");
        Start();
        Assert.Equal(2, (await _recorder.NextAsync()).Count);

        _server.RespondJson("""[{"targets":["a:1"]},{"targets":["b:2"]}]""");
        await TickAsync();

        Assert.Equal([Group(1, """{__address__="b:2"}""")], Recorder.Render(await _recorder.NextAsync()));
    }

    [Fact]
    public async Task RunAsync_BasicAuth_SendsCredentials()
    {
        _server.RespondJson("[]");

        Start(client: new HttpClientConfig { BasicAuth = new BasicAuth { Username = "user", Password = "pä:ss" } });
        var headers = await _server.NextRequestAsync();

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pä:ss")), headers.Authorization.ToString());
    }

    [Fact]
    public async Task RunAsync_BasicAuthPasswordFile_ReadsTrimmedSecretOnEachRequest()
    {
        _server.RespondJson("[]");
        var file = TempFile("first\n");

        Start(client: new HttpClientConfig { BasicAuth = new BasicAuth { Username = "u", PasswordFile = file } });
        Assert.Equal("Basic " + Convert.ToBase64String("u:first"u8.ToArray()), (await _server.NextRequestAsync()).Authorization.ToString());

        File.WriteAllText(file, "second");
        await TickAsync();
        Assert.Equal("Basic " + Convert.ToBase64String("u:second"u8.ToArray()), (await _server.NextRequestAsync()).Authorization.ToString());
    }

    [Fact]
    public async Task RunAsync_AuthorizationCredentialsFile_SendsTypeAndCredentials()
    {
        _server.RespondJson("[]");
        var file = TempFile(" token-123 \n");

        Start(client: new HttpClientConfig { Authorization = new Authorization { Type = "Bearer", CredentialsFile = file } });

        Assert.Equal("Bearer token-123", (await _server.NextRequestAsync()).Authorization.ToString());
    }

    [Fact]
    public async Task RunAsync_RedirectNotFollowed_ReportsRedirectStatus()
    {
        _server.Respond(context =>
        {
            context.Response.Redirect("/elsewhere");
            return Task.CompletedTask;
        });

        Start(client: new HttpClientConfig { FollowRedirects = false });

        Assert.Equal("server returned HTTP status 302 Found", await _status.NextChangeAsync());
    }

    [Fact]
    public async Task RunAsync_RedirectFollowed_ReadsTarget()
    {
        _server.Respond(async context =>
        {
            if (context.Request.Path == "/sd")
            {
                context.Response.Redirect("/moved");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""[{"targets":["moved:1"]}]""", context.RequestAborted);
        });

        Start(client: new HttpClientConfig { FollowRedirects = true });

        // The label and sources name the configured URL, not the redirect target.
        Assert.Equal([Group(0, """{__address__="moved:1"}""")], Recorder.Render(await _recorder.NextAsync()));
        Assert.Equal("/sd", (await _server.NextRequestAsync())["X-Test-Path"].ToString());
        Assert.Equal("/moved", (await _server.NextRequestAsync())["X-Test-Path"].ToString());
    }

    [Fact]
    public async Task RunAsync_ProxyUrl_SendsRequestThroughProxy()
    {
        // The test server plays the proxy: the target host does not resolve, so only the proxy can answer.
        _server.RespondJson("""[{"targets":["p:1"]}]""");
        const string url = "http://sd.invalid/targets";

        Start(new HttpSdConfig { Url = url, HttpClient = new HttpClientConfig { ProxyUrl = _server.BaseAddress } });

        var batch = await _recorder.NextAsync();
        Assert.Equal(["http://sd.invalid/targets:0 {__address__=\"p:1\"} __meta_url=\"http://sd.invalid/targets\""], Recorder.Render(batch));
        Assert.Equal("sd.invalid", (await _server.NextRequestAsync())["X-Test-Host"].ToString());
    }

    [Fact]
    public async Task RunAsync_ConnectionRefused_ReportsFailure()
    {
        var url = _server.Url();
        await _server.DisposeAsync();
        _server = await SdTestServer.StartAsync();

        Start(new HttpSdConfig { Url = url });

        Assert.StartsWith($"Get \"{url}\": ", await _status.NextChangeAsync());
    }

    [Theory]
    [InlineData("", "URL is missing")]
    [InlineData("ftp://host/x", "URL scheme must be 'http' or 'https'")]
    public void Validate_BadUrl_PrometheusMessage(string url, string expected) =>
        Assert.Equal([expected], HttpSdProvider.Validate(new HttpSdConfig { Url = url }));
}
