using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Quartermaster.IntegrationTests;

/// <summary>
/// The published application, as the container image runs it: <c>quartermaster</c> and <c>qmctl</c> from one publish
/// folder (what the Dockerfile copies to /app), the config at a given path, upstream's flags. test.sh publishes once
/// and passes the folder in <c>QM_PUBLISH_DIR</c>; without it the test publishes into a temporary folder.
/// </summary>
public sealed class PublishedAppTests
{
    [Fact]
    public async Task PublishedApp_RunsWithConfigPath_AndQmctlReadsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("qm-publish-").FullName;
        try
        {
            var publish = Environment.GetEnvironmentVariable("QM_PUBLISH_DIR") is { Length: > 0 } given
                ? given
                : await PublishAsync(Path.Combine(work, "app"), ct);
            var config = Path.Combine(work, "targetallocator.yaml");
            await File.WriteAllTextAsync(config, """
                collectors: {static: [collector-0, collector-1]}
                config:
                  scrape_configs:
                    - job_name: published
                      static_configs:
                        - targets: ["10.1.0.1:9100", "10.1.0.2:9100", "10.1.0.3:9100"]
                """, ct);
            var port = FreePort();
            var url = $"http://127.0.0.1:{port}";
            using var service = Start(Path.Combine(publish, "quartermaster"), "--config-file", config, "--listen-addr", $"127.0.0.1:{port}");
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                var ready = false;
                for (var i = 0; i < 120 && !ready && !service.HasExited; i++)
                {
                    try
                    {
                        ready = (await http.GetAsync(url + "/readyz", ct)).StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                    }

                    if (!ready)
                    {
                        await Task.Delay(500, ct);
                    }
                }

                Assert.True(ready, "the published service did not become ready: " + (service.HasExited ? await service.StandardError.ReadToEndAsync(ct) : "still starting"));
                Assert.Equal("{\"published\":{\"_link\":\"/jobs/published/targets\"}}\n", await http.GetStringAsync(url + "/jobs", ct));

                var (exit, output) = await RunAsync(Path.Combine(publish, "qmctl"), ct, "jobs", "--server", url, "-o", "json");
                Assert.Equal(0, exit);
                Assert.Contains("published", output, StringComparison.Ordinal);
            }
            finally
            {
                service.Kill(entireProcessTree: true);
                await service.WaitForExitAsync(ct);
            }

            // A config path that does not exist is fatal and names the path.
            var missing = Path.Combine(work, "missing.yaml");
            var (code, text) = await RunAsync(Path.Combine(publish, "quartermaster"), ct, "--config-file", missing, "--listen-addr", "127.0.0.1:0");
            Assert.Equal(1, code);
            Assert.Contains(missing, text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> PublishAsync(string output, CancellationToken ct)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Quartermaster.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }

        foreach (var project in new[] { "src/Quartermaster/Quartermaster.csproj", "src/Quartermaster.Cli/Quartermaster.Cli.csproj" })
        {
            var (exit, text) = await RunAsync("dotnet", ct, "publish", Path.Combine(root, project), "-c", "Release", "-o", output, "-nologo", "/p:UseAppHost=true");
            Assert.True(exit == 0, text);
        }

        return output;
    }

    private static Process Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, CancellationToken ct, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
