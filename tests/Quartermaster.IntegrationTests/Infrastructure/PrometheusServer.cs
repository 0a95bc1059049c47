using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Quartermaster.IntegrationTests.Infrastructure;

/// <summary>A real Prometheus (Debian package) on a loopback port with a throwaway data directory.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringWriter _log;

    private PrometheusServer(Process process, string directory, Uri baseAddress, StringWriter log)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        _log = log;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string Log => _log.ToString();

    public static bool IsInstalled => File.Exists("/usr/bin/prometheus");

    /// <summary>Starts Prometheus with <paramref name="configYaml"/>. A free port is probed and retried if taken.</summary>
    public static async Task<PrometheusServer> StartAsync(string configYaml)
    {
        for (var attempt = 0; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("qm-prom-").FullName;
            var configPath = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(configPath, configYaml);
            var port = FreePort();
            var log = new StringWriter();
            var psi = new ProcessStartInfo("/usr/bin/prometheus")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                $"--config.file={configPath}",
                $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-lifecycle",
                "--log.level=warn",
            })
            {
                psi.ArgumentList.Add(arg);
            }

            var process = Process.Start(psi)!;
            process.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
            process.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}"), log);
            if (await server.WaitReadyAsync(TimeSpan.FromSeconds(30)))
            {
                return server;
            }

            var output = server.Log;
            await server.DisposeAsync();
            if (attempt >= 2)
            {
                throw new InvalidOperationException("Prometheus did not become ready:\n" + output);
            }
        }
    }

    /// <summary>The active targets of <c>/api/v1/targets</c>: (scrapeUrl, health, discovered address).</summary>
    public async Task<IReadOnlyList<ActiveTarget>> ActiveTargetsAsync()
    {
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/targets?state=active"));
        var result = new List<ActiveTarget>();
        foreach (var t in doc.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray())
        {
            result.Add(new ActiveTarget(
                t.GetProperty("labels").GetProperty("job").GetString()!,
                t.GetProperty("discoveredLabels").GetProperty("__address__").GetString()!,
                t.GetProperty("health").GetString()!));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> WaitReadyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                using var response = await Client.GetAsync("/-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        return false;
    }
}

public sealed record ActiveTarget(string Job, string Address, string Health);
