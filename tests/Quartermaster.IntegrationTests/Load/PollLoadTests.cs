using System.Diagnostics;
using System.Text.Json;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.LoadTest;

namespace Quartermaster.IntegrationTests.Load;

/// <summary>
/// The poll-load harness in small (seconds): the real service in process on 2,000 file_sd targets, 10 collectors
/// polling as the receiver does. It checks correctness only (no errors, every poll got the bytes the service serves),
/// never timing; the full runs are <c>qm-loadtest process</c> (docs/sizing.md).
/// </summary>
public sealed class PollLoadTests
{
    private const int Targets = 2_000;
    private const int Collectors = 10;

    [Fact]
    public async Task PollLoad_TenCollectorsOnTwoThousandTargets_EveryPollGetsTheServedBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("qm-load-it-").FullName;
        try
        {
            var workspace = TargetWorkspace.Create(dir, Targets, Collectors);
            await using var host = await AllocatorHost.StartAsync(await File.ReadAllTextAsync(workspace.ConfigPath, ct), dir);
            await AllocatorHost.WaitUntilAsync(
                async () => (await host.GetStringAsync("/readyz?verbose")).Contains($"targets: {Targets},", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60),
                "every generated target to be served");

            var report = await PollLoad.RunAsync(
                new PollLoadOptions
                {
                    Server = host.BaseAddress,
                    Collectors = Collectors,
                    Interval = TimeSpan.FromSeconds(1),
                    Duration = TimeSpan.FromSeconds(3),
                    Concurrency = 16,
                    VerifyBodies = true,
                },
                ct);

            Assert.Equal(0, report.Errors);
            Assert.Equal(0, report.BodyMismatches);
            Assert.Equal(workspace.Jobs, report.Jobs);
            Assert.True(report.GzipResponses > 0, "no response came gzip-compressed: " + report.ToMarkdown());

            // Every collector polled each job's targets at least once in the first round (and all share /scrape_configs and /jobs).
            Assert.Equal((Collectors * workspace.Jobs) + 2, report.BodyHashes.Count);

            // Each body polled (decompressed) is what a plain request gets, and together the collectors got every target once.
            var served = 0;
            foreach (var (path, hash) in report.BodyHashes)
            {
                var plain = await PollLoad.GetPlainAsync(host.Client, host.BaseAddress, path, ct);
                Assert.True(PollLoad.Hash(plain) == hash, $"{path}: the polled body differs from a direct GET: {PollLoad.Describe(plain)}");
                if (path.Contains("collector_id=", StringComparison.Ordinal))
                {
                    using var groups = JsonDocument.Parse(plain);
                    served += groups.RootElement.EnumerateArray().Sum(g => g.GetProperty("targets").GetArrayLength());
                }
            }

            Assert.Equal(Targets, served);

            // A churned target is served with its new address.
            using var client = PollLoad.CreateClient(2, TimeSpan.FromSeconds(10));
            var changed = workspace.Churn(1, new Random(1));
            var (job, address) = Assert.Single(changed);
            var elapsed = await Churn.WaitServedAsync(client, host.BaseAddress, TargetWorkspace.JobName(job), address, present: true, Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(30), ct);
            Assert.NotNull(elapsed);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://10.1.2.3:8080")]
    [InlineData("http://example.com")]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("ftp://127.0.0.1/")]
    public async Task PollLoad_NonLoopbackServer_Refused(string server)
    {
        Assert.Null(Loopback.ParseServer(server, out var error));
        Assert.Contains(server, error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => PollLoad.RunAsync(new PollLoadOptions { Server = new Uri(server) }, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://127.8.9.10:1")]
    [InlineData("http://[::1]:8080")]
    [InlineData("http://localhost:8080")]
    public void Loopback_LoopbackServer_Accepted(string server) =>
        Assert.NotNull(Loopback.ParseServer(server, out _));

    [Fact]
    public async Task LoadTool_NonLoopbackServer_ExitsTwoWithReason()
    {
        var ct = TestContext.Current.CancellationToken;
        var tool = Path.Combine(AppContext.BaseDirectory, "qm-loadtest.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { tool, "poll", "--server", "http://192.0.2.1:8080", "--duration", "1s" })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("non-loopback", stderr, StringComparison.Ordinal);
    }
}
