using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quartermaster.LoadTest;

/// <summary>What the whole-process run does.</summary>
public sealed class ProcessRunOptions
{
    public int Targets { get; init; } = 10_000;

    public int Collectors { get; init; } = 10;

    public string Strategy { get; init; } = "consistent-hashing";

    /// <summary>Top-level YAML appended to the generated config (<c>--extra-config</c>).</summary>
    public string? ExtraConfig { get; init; }

    public LabelShape Shape { get; init; } = LabelShape.Full;

    public int MaxJobs { get; init; } = TargetWorkspace.MaxJobs;

    /// <summary>Environment variables for the service, e.g. <c>DOTNET_GCConserveMemory=7</c>.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>A folder holding the built or published <c>quartermaster</c>; default: the repository's Release build output.</summary>
    public string? App { get; init; }

    /// <summary>Collectors the poll load plays (0: no poll load).</summary>
    public int PollCollectors { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan PollDuration { get; init; } = TimeSpan.FromSeconds(60);

    public int PollConcurrency { get; init; } = 64;

    public double ChurnPercent { get; init; } = 1;

    public TimeSpan ChurnEvery { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Back-to-back pollers for the overload check (0: none).</summary>
    public int Flood { get; init; }

    public TimeSpan FloodDuration { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Runs the real <c>quartermaster</c> process on a generated file_sd workload and measures it from outside, as an
/// operator would: time to the first complete snapshot, peak and steady RSS and CPU from <c>/proc</c>, unchanged
/// reloads, one target added or removed until served, and optionally the poll load with churn and a flood.
/// </summary>
public static class ProcessRunner
{
    public static async Task<int> RunAsync(ProcessRunOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var app = ResolveApp(options.App, out var appError);
        if (app is null)
        {
            await output.WriteLineAsync(appError);
            return 2;
        }

        var ic = CultureInfo.InvariantCulture;
        var work = Directory.CreateTempSubdirectory("qm-load-").FullName;
        var report = new StringBuilder();
        void Line(string text)
        {
            report.Append(text).Append('\n');
            output.WriteLine(text);
        }

        try
        {
            var generate = Stopwatch.StartNew();
            var workspace = TargetWorkspace.Create(work, options.Targets, options.Collectors, options.Shape, options.Strategy, options.MaxJobs, options.ExtraConfig);
            var targets = workspace.TargetCount;
            Line(string.Create(ic, $"## {targets:N0} targets, {workspace.Jobs:N0} jobs (file_sd, {options.Shape} labels), {options.Collectors} collectors, {options.Strategy}"));
            Line("");
            Line(string.Create(ic, $"- machine: {System.Environment.ProcessorCount} cores; load average before start: {ProcStat.LoadAverage()}; app: {app.Display}{string.Concat(options.Environment.Select(e => $"; {e.Key}={e.Value}"))}"));
            Line(string.Create(ic, $"- input: {workspace.FileBytes / 1048576.0:F1} MiB of file_sd JSON in {workspace.Jobs:N0} files (written in {generate.Elapsed.TotalSeconds:F1} s)"));

            var port = FreePort();
            var server = new Uri($"http://127.0.0.1:{port}");
            var start = new ProcessStartInfo(app.FileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in app.Prefix.Concat(["--config-file", workspace.ConfigPath, "--listen-addr", $"127.0.0.1:{port}", "--zap-log-level", "warn"]))
            {
                start.ArgumentList.Add(a);
            }

            foreach (var (name, value) in options.Environment)
            {
                start.Environment[name] = value;
            }

            var log = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Append(log, e.Data);
            process.ErrorDataReceived += (_, e) => Append(log, e.Data);
            var clock = Stopwatch.StartNew();
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var sampler = new Sampler(process.Id);
            using var client = PollLoad.CreateClient(4, TimeSpan.FromSeconds(30));
            try
            {
                // 1. Start → first complete snapshot: /readyz?verbose reports every target.
                bool ready;
                try
                {
                    ready = await WaitAsync(async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException("quartermaster exited: " + Tail(log));
                    }

                    var text = await TryGetStringAsync(client, new Uri(server, "/readyz?verbose"), cancellationToken);
                    return text is not null && text.Contains(string.Create(ic, $"targets: {targets},"), StringComparison.Ordinal);
                    }, options.StartTimeout, cancellationToken);
                }
                catch (InvalidOperationException ex)
                {
                    Line("- " + ex.Message);
                    return 1;
                }

                if (!ready)
                {
                    Line("- the service did not serve every target within the start timeout: " + Tail(log));
                    return 1;
                }

                var firstSnapshot = clock.Elapsed;
                var atReady = sampler.Latest;
                Line(string.Create(ic, $"- start → first complete snapshot (every target served): **{firstSnapshot.TotalSeconds:F2} s**, CPU used {atReady.CpuSeconds:F2} s, peak RSS so far **{atReady.PeakRssBytes / 1048576.0:F0} MiB** (load {ProcStat.LoadAverage()})"));

                // 2. Steady state.
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                var steady = sampler.Latest;
                Line(string.Create(ic, $"- steady RSS 5 s later: **{steady.RssBytes / 1048576.0:F0} MiB**; CPU since ready {steady.CpuSeconds - atReady.CpuSeconds:F2} s"));

                // 3. Reloads with nothing changed.
                var metricsBefore = await MetricsAsync(client, server, cancellationToken);
                var cpuBefore = sampler.Latest.CpuSeconds;
                var rewrite = Stopwatch.StartNew();
                workspace.RewriteAll();
                var rewriteTime = rewrite.Elapsed;
                await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                var metricsAfter = await MetricsAsync(client, server, cancellationToken);
                Line(string.Create(ic, $"- every file_sd file rewritten with the same bytes ({rewriteTime.TotalMilliseconds:F0} ms to write): CPU used by the service while they were written and in the 3 s after {sampler.Latest.CpuSeconds - cpuBefore:F2} s, pipeline passes {metricsAfter.ProcessCount - metricsBefore.ProcessCount:F0} (load {ProcStat.LoadAverage()})"));

                metricsBefore = metricsAfter;
                var cpuBeforeReload = sampler.Latest.CpuSeconds;
                var reload = Stopwatch.GetTimestamp();
                workspace.WriteConfig("reload " + reload.ToString(ic));
                var reloaded = await WaitAsync(async () =>
                {
                    var m = await MetricsAsync(client, server, cancellationToken);
                    return m.ReloadsApplied > metricsBefore.ReloadsApplied;
                }, TimeSpan.FromSeconds(60), cancellationToken);
                var reloadWall = Stopwatch.GetElapsedTime(reload);

                // A reload that changes nothing re-processes no job; any pass it does cause is reported with its time.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                metricsAfter = await MetricsAsync(client, server, cancellationToken);
                Line(reloaded
                    ? string.Create(ic, $"- config rewritten with only a comment changed: reload applied **{reloadWall.TotalMilliseconds:F0} ms** after the write (includes the 100 ms settle wait and /metrics, which the exporter caches for up to 300 ms); pipeline passes it caused {metricsAfter.ProcessCount - metricsBefore.ProcessCount:F0}, taking **{(metricsAfter.ProcessSum - metricsBefore.ProcessSum) * 1000:F1} ms** (process_targets histogram); service CPU from the write to 1 s after the reload {sampler.Latest.CpuSeconds - cpuBeforeReload:F2} s (load {ProcStat.LoadAverage()})")
                    : "- config rewritten with only a comment changed: no reload observed within 60 s");

                // 4. One target added, then removed → served.
                var added = new List<double>();
                var removed = new List<double>();
                var passes = new List<double>();
                for (var i = 0; i < 5; i++)
                {
                    var job = (int)((long)i * workspace.Jobs / 5);
                    var before = await MetricsAsync(client, server, cancellationToken);
                    var address = workspace.AddTarget(job);
                    var written = Stopwatch.GetTimestamp();
                    if (await Churn.WaitServedAsync(client, server, TargetWorkspace.JobName(job), address, true, written, TimeSpan.FromSeconds(30), cancellationToken) is { } a)
                    {
                        added.Add(a.TotalMilliseconds);
                    }

                    // The exporter caches its answer for a moment (300 ms by default): wait for the pass to show.
                    var after = before;
                    await WaitAsync(async () =>
                    {
                        after = await MetricsAsync(client, server, cancellationToken);
                        return after.ProcessCount > before.ProcessCount;
                    }, TimeSpan.FromSeconds(5), cancellationToken);
                    if (after.ProcessCount - before.ProcessCount == 1)
                    {
                        passes.Add((after.ProcessSum - before.ProcessSum) * 1000);
                    }

                    address = workspace.RemoveAddedTarget(job);
                    written = Stopwatch.GetTimestamp();
                    if (await Churn.WaitServedAsync(client, server, TargetWorkspace.JobName(job), address, false, written, TimeSpan.FromSeconds(30), cancellationToken) is { } r)
                    {
                        removed.Add(r.TotalMilliseconds);
                    }
                }

                Line($"- one target added → served (file written → in /jobs/{{job}}/targets; includes the file watcher's 100 ms debounce): {LatencyStats.From([.. added])}");
                Line($"- one target removed → gone: {LatencyStats.From([.. removed])}");
                Line($"- the pipeline pass for one added target (process_targets histogram): {LatencyStats.From([.. passes])} (load {ProcStat.LoadAverage()})");

                // 5. Poll load with churn.
                if (options.PollCollectors > 0)
                {
                    await RunPollAsync(workspace, server, sampler, options, Line, flood: false, cancellationToken);
                }

                // 6. Overload.
                if (options.Flood > 0)
                {
                    await RunPollAsync(workspace, server, sampler, options, Line, flood: true, cancellationToken);
                }

                var end = sampler.Latest;
                Line(string.Create(ic, $"- at the end: peak RSS (VmHWM) **{end.PeakRssBytes / 1048576.0:F0} MiB**, RSS {end.RssBytes / 1048576.0:F0} MiB, CPU used in total {end.CpuSeconds:F1} s; load average {ProcStat.LoadAverage()}"));
                Line(process.HasExited ? "- the service EXITED during the run: " + Tail(log) : "- the service stayed up");
                return 0;
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunPollAsync(TargetWorkspace workspace, Uri server, Sampler sampler, ProcessRunOptions options, Action<string> line, bool flood, CancellationToken cancellationToken)
    {
        var ic = CultureInfo.InvariantCulture;
        var poll = new PollLoadOptions
        {
            Server = server,
            Collectors = flood ? Math.Max(options.PollCollectors, options.Collectors) : options.PollCollectors,
            Interval = flood ? TimeSpan.Zero : options.PollInterval,
            Duration = flood ? options.FloodDuration : options.PollDuration,
            Concurrency = flood ? options.Flood : options.PollConcurrency,
        };
        var before = sampler.Latest;
        var load = ProcStat.LoadAverage();
        using var stop = new CancellationTokenSource(poll.Duration);
        var churn = options.ChurnPercent > 0
            ? Churn.RunAsync(workspace, server, options.ChurnPercent, options.ChurnEvery, stop.Token)
            : Task.FromResult(new ChurnReport(0, 0, LatencyStats.Empty, LatencyStats.Empty, 0));
        var clock = Stopwatch.StartNew();
        var report = await PollLoad.RunAsync(poll, cancellationToken);
        var churned = await churn;
        var after = sampler.Latest;
        line("");
        line(flood
            ? string.Create(ic, $"### Overload: {options.Flood} pollers back to back for {poll.Duration.TotalSeconds:F0} s, {options.ChurnPercent} % churn every {options.ChurnEvery.TotalSeconds:F0} s")
            : string.Create(ic, $"### Poll load: {poll.Collectors} collectors × {workspace.Jobs:N0} jobs every {poll.Interval.TotalSeconds:F0} s for {poll.Duration.TotalSeconds:F0} s, {options.ChurnPercent} % churn every {options.ChurnEvery.TotalSeconds:F0} s"));
        line("");
        line(report.ToMarkdown());
        if (churned.Rounds > 0)
        {
            line(churned.ToMarkdown());
        }

        line(string.Create(ic, $"- service CPU during the load: {(after.CpuSeconds - before.CpuSeconds) / clock.Elapsed.TotalSeconds:F2} cores (the load tool runs on the same {System.Environment.ProcessorCount} cores); RSS {after.RssBytes / 1048576.0:F0} MiB, peak {after.PeakRssBytes / 1048576.0:F0} MiB; load average before {load}, after {ProcStat.LoadAverage()}"));
    }

    internal sealed record AppCommand(string FileName, string[] Prefix, string Display);

    /// <summary>The <c>quartermaster</c> to run: an apphost or dll in <paramref name="folder"/>, or the repository's Release build.</summary>
    internal static AppCommand? ResolveApp(string? folder, out string? error)
    {
        error = null;
        if (folder is null)
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Quartermaster.slnx")))
            {
                dir = dir.Parent;
            }

            if (dir is null)
            {
                error = "no --app folder given and no repository found above " + AppContext.BaseDirectory;
                return null;
            }

            folder = Path.Combine(dir.FullName, "src", "Quartermaster", "bin", "Release", "net10.0");
        }

        var apphost = Path.Combine(folder, "quartermaster");
        if (File.Exists(apphost))
        {
            return new AppCommand(apphost, [], apphost);
        }

        var dll = Path.Combine(folder, "quartermaster.dll");
        if (File.Exists(dll))
        {
            return new AppCommand("dotnet", [dll], "dotnet " + dll);
        }

        error = $"no quartermaster in {folder}: build it first (dotnet build src/Quartermaster -c Release) or pass --app <publish folder>";
        return null;
    }

    internal readonly record struct ServiceMetrics(double ReloadsApplied, double ProcessCount, double ProcessSum);

    internal static async Task<ServiceMetrics> MetricsAsync(HttpClient client, Uri server, CancellationToken cancellationToken)
    {
        var text = await client.GetStringAsync(new Uri(server, "/metrics"), cancellationToken);
        return ParseMetrics(text);
    }

    /// <summary>Sums the samples of the series the runner watches in a Prometheus text exposition.</summary>
    internal static ServiceMetrics ParseMetrics(string text)
    {
        double reloads = 0, count = 0, sum = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            switch (name)
            {
                case "quartermaster_config_reloads_total" when line.Contains("result=\"applied\"", StringComparison.Ordinal):
                    reloads += value;
                    break;
                case "opentelemetry_allocator_process_targets_duration_seconds_count":
                    count += value;
                    break;
                case "opentelemetry_allocator_process_targets_duration_seconds_sum":
                    sum += value;
                    break;
            }
        }

        return new ServiceMetrics(reloads, count, sum);
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(10, cancellationToken);
        }

        return false;
    }

    private static async Task<string?> TryGetStringAsync(HttpClient client, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(uri, cancellationToken);
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.Append(line).Append('\n');
            if (log.Length > 20_000)
            {
                log.Remove(0, log.Length - 10_000);
            }
        }
    }

    private static string Tail(StringBuilder log)
    {
        lock (log)
        {
            var text = log.ToString();
            return text.Length > 2000 ? text[^2000..] : text;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reads the process's memory and CPU every 20 ms, so the peak and the latest figures are at hand.</summary>
    private sealed class Sampler : IDisposable
    {
        private readonly int _pid;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private ProcStat _latest;

        public Sampler(int pid)
        {
            _pid = pid;
            _loop = Task.Run(LoopAsync);
        }

        public ProcStat Latest
        {
            get
            {
                if (ProcStat.Read(_pid) is { } now)
                {
                    lock (_stop)
                    {
                        _latest = now with { PeakRssBytes = Math.Max(now.PeakRssBytes, _latest.PeakRssBytes) };
                    }
                }

                lock (_stop)
                {
                    return _latest;
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                _ = Latest;
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
