using Quartermaster.Cli;
using Quartermaster.Cli.Check;
using Quartermaster.Cli.Kube;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Check;

/// <summary><c>--service</c>: the API commands reach the allocator through the Kubernetes API server's service proxy.</summary>
public sealed class ServiceProxyTests
{
    private const string Token = "qmctl-test-token";
    private const string Job = "serviceMonitor/default/my-app/0";

    private const string Config = """
        collectors:
          static: [collector-0, collector-1]
        config:
          scrape_configs:
            - job_name: serviceMonitor/default/my-app/0
              static_configs:
                - targets: ["10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100"]
        """;

    private sealed class Setup : IAsyncDisposable
    {
        public required AllocatorHost Host { get; init; }

        public required FakeKubeApiServer Api { get; init; }

        public required string Kubeconfig { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Api.DisposeAsync();
            await Host.DisposeAsync();
        }
    }

    private static async Task<Setup> StartAsync()
    {
        var host = await AllocatorHost.StartAsync(Config);
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs")).Contains("my-app", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the job");
        var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = Token });
        api.MapServiceProxy("monitoring", "otelcol-targetallocator", host.BaseAddress, "80");
        var kubeconfig = api.WriteKubeconfig(Directory.CreateTempSubdirectory("qm-kube-").FullName);
        return new Setup { Host = host, Api = api, Kubeconfig = kubeconfig };
    }

    private static async Task<string> RunAsync(Func<AllocatorClient, TextWriter, Task<int>> command, AllocatorClient client)
    {
        using var output = new StringWriter();
        Assert.Equal(0, await command(client, output));
        return output.ToString();
    }

    [Fact]
    public async Task ApiCommands_ThroughTheServiceProxy_MatchTheDirectAnswers()
    {
        await using var setup = await StartAsync();
        var proxied = ServiceProxy.CreateClient("monitoring/otelcol-targetallocator:80", setup.Kubeconfig, null);
        var direct = new AllocatorClient(setup.Host.BaseAddress);

        foreach (var command in new Func<AllocatorClient, TextWriter, Task<int>>[]
        {
            (c, w) => Commands.JobsAsync(c, "table", w, CancellationToken.None),
            (c, w) => Commands.TargetsAsync(c, Job, null, "table", w, CancellationToken.None),
            (c, w) => Commands.ScrapeConfigsAsync(c, Job, w, CancellationToken.None),
            (c, w) => Commands.CollectorsAsync(c, "json", w, CancellationToken.None),
        })
        {
            Assert.Equal(await RunAsync(command, direct), await RunAsync(command, proxied));
        }

        Assert.Contains(setup.Api.Requests, r => r.Path.StartsWith("/api/v1/namespaces/monitoring/services/otelcol-targetallocator:80/proxy/jobs", StringComparison.Ordinal));
        Assert.Equal("service monitoring/otelcol-targetallocator:80 via " + setup.Api.BaseAddress.GetLeftPart(UriPartial.Authority), proxied.Description);
    }

    [Fact]
    public async Task CheckReceiver_WithService_AsksTheAllocatorThroughTheProxy()
    {
        await using var setup = await StartAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("qm-check-").FullName, "collector.yaml");
        await File.WriteAllTextAsync(file, """
            receivers:
              prometheus:
                target_allocator: {endpoint: "http://otelcol-targetallocator", interval: 30s, collector_id: collector-1}
            service:
              pipelines:
                metrics: {receivers: [prometheus]}
            """);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await ReceiverCheck.RunAsync(
            file, ServiceProxy.CreateClient("monitoring/otelcol-targetallocator:80", setup.Kubeconfig, null), null, "table", stdout, stderr, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("service monitoring/otelcol-targetallocator:80 via", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("knows collector collector-1", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_ServiceOption_SelectsTheProxy()
    {
        await using var setup = await StartAsync();

        Assert.Equal(0, await Task.Run(() => QmctlRunner.Run("--service", "monitoring/otelcol-targetallocator:80", "--kubeconfig", setup.Kubeconfig, "jobs")));
        Assert.NotEqual(0, await Task.Run(() => QmctlRunner.Run("--service", "monitoring/nope", "--kubeconfig", setup.Kubeconfig, "jobs")));
        Assert.NotEqual(0, await Task.Run(() => QmctlRunner.Run(
            "--service", "monitoring/otelcol-targetallocator:80", "--kubeconfig", setup.Kubeconfig, "--context", "missing", "collectors")));
        Assert.NotEqual(0, await Task.Run(() => QmctlRunner.Run(
            "--service", "monitoring/otelcol-targetallocator:80", "-s", setup.Host.BaseAddress.ToString(), "--kubeconfig", setup.Kubeconfig, "jobs")));
        Assert.Contains(setup.Api.Requests, r => r.Path.EndsWith("/services/nope/proxy/jobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_AreOneLineNamingTheCause()
    {
        await using var setup = await StartAsync();
        setup.Api.DenyAccess("get", "services/proxy", ns: "locked");

        var missing = await Assert.ThrowsAsync<AllocatorException>(() =>
            ServiceProxy.CreateClient("monitoring/nope", setup.Kubeconfig, null).GetJsonAsync("/jobs", CancellationToken.None));
        var denied = await Assert.ThrowsAsync<AllocatorException>(() =>
            ServiceProxy.CreateClient("locked/otelcol-targetallocator", setup.Kubeconfig, null).GetJsonAsync("/jobs", CancellationToken.None));
        var noContext = await Assert.ThrowsAsync<AllocatorException>(() =>
            ServiceProxy.CreateClient("otelcol-targetallocator", setup.Kubeconfig, "missing").GetJsonAsync("/jobs", CancellationToken.None));
        var noFile = await Assert.ThrowsAsync<AllocatorException>(() =>
            ServiceProxy.CreateClient("otelcol-targetallocator", Path.Combine(Path.GetTempPath(), "qm-no-kubeconfig"), null).GetJsonAsync("/jobs", CancellationToken.None));
        var malformed = await Assert.ThrowsAsync<AllocatorException>(() =>
            ServiceProxy.CreateClient("a/b/c", setup.Kubeconfig, null).GetJsonAsync("/jobs", CancellationToken.None));

        Assert.Contains("404", missing.Message, StringComparison.Ordinal);
        Assert.Contains("services \"nope\" not found", missing.Message, StringComparison.Ordinal);
        Assert.Contains("403", denied.Message, StringComparison.Ordinal);
        Assert.Contains("cannot get resource \"services/proxy\"", denied.Message, StringComparison.Ordinal);
        Assert.Contains("cannot use kubeconfig", noContext.Message, StringComparison.Ordinal);
        Assert.Contains("missing", noContext.Message, StringComparison.Ordinal);
        Assert.Contains("cannot use kubeconfig", noFile.Message, StringComparison.Ordinal);
        Assert.Contains("is not [namespace/]name[:port]", malformed.Message, StringComparison.Ordinal);
        Assert.All(new[] { missing, denied, noContext, noFile, malformed }, e => Assert.DoesNotContain('\n', e.Message.Trim()));
    }

    [Theory]
    [InlineData("svc", null, "svc", null)]
    [InlineData("monitoring/svc", "monitoring", "svc", null)]
    [InlineData("monitoring/svc:80", "monitoring", "svc", "80")]
    [InlineData("svc:http", null, "svc", "http")]
    public void TryParseService_AcceptsNamespaceNameAndPort(string value, string? ns, string name, string? port)
    {
        Assert.True(ServiceProxy.TryParseService(value, out var parsedNs, out var parsedName, out var parsedPort));
        Assert.Equal((ns, name, port), (parsedNs, parsedName, parsedPort));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b/c")]
    [InlineData("Upper")]
    [InlineData("svc:")]
    public void TryParseService_RejectsOtherText(string value) => Assert.False(ServiceProxy.TryParseService(value, out _, out _, out _));
}
