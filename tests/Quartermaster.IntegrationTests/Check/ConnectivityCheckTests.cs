using System.Net;
using System.Net.Sockets;
using Quartermaster.Cli;
using Quartermaster.Cli.Check;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests.Check;

/// <summary><c>qmctl check connectivity</c> against a live allocator and a dead endpoint; <c>check receiver --server</c>.</summary>
public sealed class ConnectivityCheckTests
{
    private const string Config = """
        collectors:
          static: [collector-0, collector-1]
        config:
          scrape_configs:
            - job_name: app
              basic_auth: {username: u, password: hidden}
              static_configs:
                - targets: ["10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100", "10.0.0.4:9100"]
            - job_name: node
              static_configs:
                - targets: ["10.0.1.1:9100"]
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static async Task<AllocatorHost> StartAsync()
    {
        var host = await AllocatorHost.StartAsync(Config);
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs")).Contains("node", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the jobs");
        return host;
    }

    private static async Task<(int Exit, string Output, string Error)> ConnectivityAsync(string endpoint)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await new ConnectivityCheck(Timeout, TimeProvider.System, stdout, stderr).RunAsync(endpoint, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A loopback port that was just closed: nothing listens on it.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Run_LiveAllocator_ReportsEveryStepAndCountsJobs()
    {
        await using var host = await StartAsync();

        var (exit, output, error) = await ConnectivityAsync(host.BaseAddress.ToString());

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Matches(@"DNS\s+OK\s+127\.0\.0\.1 is an IP address", output);
        Assert.Matches(@"TCP\s+OK\s+127\.0\.0\.1:\d+ connected in [\d.]+ ms", output);
        Assert.Matches(@"GET /livez\s+OK\s+200 OK in [\d.]+ ms, \d+ bytes", output);
        Assert.Matches(@"GET /readyz\s+OK\s+200 OK", output);
        Assert.Matches(@"GET /scrape_configs\s+OK\s+200 OK in [\d.]+ ms, \d+ bytes, 2 job\(s\)", output);
        Assert.Contains("credentials are sent as <secret>", output, StringComparison.Ordinal);
        Assert.Contains($"Verdict: OK, {host.BaseAddress.Authority} serves scrape configs for 2 job(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HostAndPortWithoutScheme_MeansHttp()
    {
        await using var host = await StartAsync();

        var (exit, output, _) = await ConnectivityAsync(host.BaseAddress.Authority);

        Assert.Equal(0, exit);
        Assert.Contains("Verdict: OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ClosedPort_FailsAtTcp_AndExitsOne()
    {
        var port = ClosedPort();

        var (exit, output, error) = await ConnectivityAsync($"127.0.0.1:{port}");

        Assert.Equal(1, exit);
        Assert.Matches($@"TCP\s+FAIL\s+127\.0\.0\.1:{port}: ConnectionRefused", output);
        Assert.DoesNotContain("GET /", output, StringComparison.Ordinal);
        Assert.Contains($"Verdict: FAIL, nothing accepts TCP connections on 127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.Equal($"qmctl: http://127.0.0.1:{port} is not reachable as an allocator: nothing accepts TCP connections on 127.0.0.1:{port}", error.Trim());
    }

    [Fact]
    public async Task Run_NotAnAllocator_FailsAtScrapeConfigs()
    {
        // A listener that answers every request with 404, like a service that is not the allocator.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(cts.Token);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                await stream.ReadAtLeastAsync(buffer, 4, throwOnEndOfStream: false, cts.Token);
                await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), cts.Token);
            }
        });

        var (exit, output, error) = await ConnectivityAsync($"http://127.0.0.1:{port}");
        await cts.CancelAsync();

        Assert.Equal(1, exit);
        Assert.Matches(@"TCP\s+OK", output);
        Assert.Matches(@"GET /scrape_configs\s+FAIL\s+404 Not Found", output);
        Assert.Contains("/scrape_configs answered 404, not 200", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://host:21")]
    [InlineData("http://")]
    public async Task Run_MalformedEndpoint_ExitsOneWithOneLine(string endpoint)
    {
        var (exit, _, error) = await ConnectivityAsync(endpoint);

        Assert.Equal(1, exit);
        Assert.Contains("is not an endpoint such as http://host:port or host:port", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> ReceiverAsync(string yaml, Uri server, string? collectorId = null)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("qm-check-").FullName, "collector.yaml");
        await File.WriteAllTextAsync(file, yaml);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await ReceiverCheck.RunAsync(file, new AllocatorClient(server), collectorId, "table", stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string Receiver(string collectorId) => $$"""
        receivers:
          prometheus:
            target_allocator:
              endpoint: http://127.0.0.1:8080
              interval: 30s
              collector_id: {{collectorId}}
        service:
          pipelines:
            metrics: {receivers: [prometheus]}
        """;

    [Fact]
    public async Task Receiver_WithServer_KnownCollector_ReportsItsJobsAndTargets()
    {
        await using var host = await StartAsync();
        var expected = await TargetsOfAsync(host, "collector-0");

        var (exit, output, _) = await ReceiverAsync(Receiver("collector-0"), host.BaseAddress);

        Assert.Equal(0, exit);
        Assert.Contains($"knows collector collector-0: {expected.Targets} target(s) in {expected.Jobs} of 2 job(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_WithServer_UnknownCollector_IsAnError_AndLeavesNoPollBehind()
    {
        await using var host = await StartAsync();

        var (exit, output, _) = await ReceiverAsync(Receiver("otelcol-collector-0"), host.BaseAddress);
        var collectors = await host.GetStringAsync("/collectors");

        Assert.Equal(1, exit);
        Assert.Contains("knows no collector otelcol-collector-0", output, StringComparison.Ordinal);
        Assert.Contains("collectors: collector-0, collector-1", output, StringComparison.Ordinal);
        Assert.Contains("\"unknown_collector_ids\":{}", collectors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_WithServer_IdFromThePodName_ListsCollectors_OrChecksTheGivenId()
    {
        await using var host = await StartAsync();

        var (exit, output, _) = await ReceiverAsync(Receiver("${env:POD_NAME}"), host.BaseAddress);
        var (givenExit, given, _) = await ReceiverAsync(Receiver("${env:POD_NAME}"), host.BaseAddress, "collector-1");

        Assert.Equal(0, exit);
        Assert.Contains("serves 2 job(s) to 2 collector(s): collector-0, collector-1", output, StringComparison.Ordinal);
        Assert.Equal(0, givenExit);
        Assert.Contains("knows collector collector-1", given, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_WithUnreachableServer_ExitsOneWithOneLineNamingTheUrl()
    {
        var server = new Uri($"http://127.0.0.1:{ClosedPort()}/");

        var (exit, _, error) = await ReceiverAsync(Receiver("collector-0"), server);

        Assert.Equal(1, exit);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith($"qmctl: cannot reach the allocator at {server}: ", error, StringComparison.Ordinal);
    }

    private static async Task<(int Jobs, int Targets)> TargetsOfAsync(AllocatorHost host, string collector)
    {
        var jobs = 0;
        var targets = 0;
        foreach (var job in new[] { "app", "node" })
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await host.GetStringAsync($"/jobs/{job}/targets"));
            var count = doc.RootElement.GetProperty(collector).GetProperty("targets").EnumerateArray().Sum(g => g.GetProperty("targets").GetArrayLength());
            jobs += count > 0 ? 1 : 0;
            targets += count;
        }

        return (jobs, targets);
    }
}
