using Quartermaster.Cli;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests;

/// <summary>The seed's troubleshooting steps as qmctl commands against a running allocator.</summary>
public sealed class QmctlTests
{
    private const string Config = """
        collectors:
          static: [collector-0, collector-1]
        config:
          scrape_configs:
            - job_name: serviceMonitor/default/my-app/0
              basic_auth: {username: u, password: hidden}
              static_configs:
                - targets: ["10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100", "10.0.0.4:9100"]
        """;

    private static async Task<(int Exit, string Output)> RunAsync(Func<AllocatorClient, TextWriter, Task<int>> command, AllocatorHost host)
    {
        using var output = new StringWriter();
        var exit = await command(new AllocatorClient(host.BaseAddress), output);
        return (exit, output.ToString());
    }

    private static async Task<AllocatorHost> StartAsync()
    {
        var host = await AllocatorHost.StartAsync(Config);
        await AllocatorHost.WaitUntilAsync(async () => (await host.GetStringAsync("/jobs")).Contains("my-app", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the job");
        return host;
    }

    [Fact]
    public async Task Jobs_ListsJobsWithCountsPerCollector()
    {
        await using var host = await StartAsync();

        var (exit, output) = await RunAsync((c, w) => Commands.JobsAsync(c, "table", w, CancellationToken.None), host);

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("JOB", lines[0], StringComparison.Ordinal);
        Assert.Contains("serviceMonitor/default/my-app/0", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"\s4\s", lines[1]);
    }

    [Fact]
    public async Task Targets_ShowsEveryTargetWithItsCollector_AndFiltersByCollector()
    {
        await using var host = await StartAsync();

        var (exit, all) = await RunAsync((c, w) => Commands.TargetsAsync(c, "serviceMonitor/default/my-app/0", null, "table", w, CancellationToken.None), host);
        var (_, one) = await RunAsync((c, w) => Commands.TargetsAsync(c, "serviceMonitor/default/my-app/0", "collector-0", "table", w, CancellationToken.None), host);

        Assert.Equal(0, exit);
        for (var i = 1; i <= 4; i++)
        {
            Assert.Contains($"10.0.0.{i}:9100", all, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("collector-1", one, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeConfigs_ShowsOneJob_Redacted()
    {
        await using var host = await StartAsync();

        var (exit, output) = await RunAsync((c, w) => Commands.ScrapeConfigsAsync(c, "serviceMonitor/default/my-app/0", w, CancellationToken.None), host);
        var (missingExit, _) = await RunAsync((c, w) => Commands.ScrapeConfigsAsync(c, "nope", w, CancellationToken.None), host);

        Assert.Equal(0, exit);
        Assert.Contains("\"job_name\": \"serviceMonitor/default/my-app/0\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", output, StringComparison.Ordinal);
        Assert.Equal(1, missingExit);
    }

    [Fact]
    public async Task Collectors_ReportsUnknownCollectorIds()
    {
        await using var host = await StartAsync();
        await host.GetStringAsync("/jobs/serviceMonitor%2Fdefault%2Fmy-app%2F0/targets?collector_id=otelcol-collector-0");

        var (exit, output) = await RunAsync((c, w) => Commands.CollectorsAsync(c, "table", w, CancellationToken.None), host);

        Assert.Equal(0, exit);
        Assert.Contains("collector-0", output, StringComparison.Ordinal);
        Assert.Contains("match no collector", output, StringComparison.Ordinal);
        Assert.Contains("otelcol-collector-0", output, StringComparison.Ordinal);
    }

    private static int RunQmctl(params string[] args)
    {
        var entry = typeof(AllocatorClient).Assembly.EntryPoint!;
        var result = entry.Invoke(null, [args]);
        return result is Task<int> task ? task.GetAwaiter().GetResult() : (int)result!;
    }

    [Fact]
    public async Task CommandLine_ServerOption_IsParsedAndValidated()
    {
        await using var host = await StartAsync();

        Assert.Equal(0, await Task.Run(() => RunQmctl("--server", host.BaseAddress.ToString(), "jobs")));
        Assert.Equal(0, await Task.Run(() => RunQmctl("-s", host.BaseAddress.ToString(), "collectors", "-o", "json")));
        Assert.NotEqual(0, await Task.Run(() => RunQmctl("-s", "notaurl", "jobs")));
        Assert.NotEqual(0, await Task.Run(() => RunQmctl("-s", host.BaseAddress.ToString(), "jobs", "-o", "xml")));
    }

    [Fact]
    public async Task UnreachableServer_ExitsOneWithReason()
    {
        using var output = new StringWriter();

        var exit = await Commands.JobsAsync(new AllocatorClient(new Uri("http://127.0.0.1:1")), "table", output, CancellationToken.None);

        Assert.Equal(1, exit);
    }
}
