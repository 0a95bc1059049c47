using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>
/// Runs Debian's <c>promtool check service-discovery</c> (Prometheus 2.42, prometheus.md §6) on generated jobs.
/// promtool takes one job per run and always waits its full <c>--timeout</c>, so jobs run concurrently (the wait is
/// idle time) and a run that returns fewer results than targets is retried with a longer timeout.
/// </summary>
internal static class Promtool
{
    private const string DefaultPath = "/usr/bin/promtool";
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromSeconds(60);

    /// <summary>The promtool binary: <c>QM_PROMTOOL</c>, else the Debian package's path.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("QM_PROMTOOL") is { Length: > 0 } p ? p : DefaultPath;

    public static bool IsInstalled => File.Exists(ExecutablePath);

    /// <summary>A Prometheus config with one job per <see cref="RelabelJob"/>, one static_configs entry per target.</summary>
    public static string ConfigYaml(IEnumerable<RelabelJob> jobs)
    {
        var sb = new StringBuilder("global:\n  scrape_interval: 1m\n  scrape_timeout: 10s\nscrape_configs:\n");
        foreach (var job in jobs)
        {
            sb.Append("  - job_name: ").Append(Quote(job.Name)).Append('\n');
            sb.Append("    static_configs:\n");
            foreach (var target in job.Targets)
            {
                sb.Append("      - targets: [").Append(Quote(target.Address)).Append("]\n");
                if (target.GroupLabels.Count > 0)
                {
                    sb.Append("        labels:\n");
                    foreach (var label in target.GroupLabels)
                    {
                        sb.Append("          ").Append(label.Name).Append(": ").Append(Quote(label.Value)).Append('\n');
                    }
                }
            }

            if (job.Rules.Count > 0)
            {
                sb.Append("    relabel_configs:\n");
                foreach (var rule in job.Rules)
                {
                    AppendRule(sb, rule);
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes <paramref name="yaml"/> once and checks each job in it, at most <paramref name="parallelism"/> at a time.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<PromtoolResult>>> CheckAsync(
        string yaml, IReadOnlyList<RelabelJob> jobs, int parallelism, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("qm-promtool-").FullName;
        try
        {
            var path = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(path, yaml, cancellationToken);
            using var gate = new SemaphoreSlim(parallelism);
            var tasks = jobs.Select(async job =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    return (job.Name, Results: await CheckJobAsync(path, job.Name, job.Targets.Count, cancellationToken));
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            var done = await Task.WhenAll(tasks);
            return done.ToDictionary(static d => d.Name, static d => d.Results, StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<IReadOnlyList<PromtoolResult>> CheckJobAsync(
        string configPath, string job, int expectedResults, CancellationToken cancellationToken)
    {
        // Static discovery answers at once; the timeout only bounds how long promtool collects. A loaded machine may
        // need more, so an incomplete answer is retried with a longer window.
        IReadOnlyList<PromtoolResult> results = [];
        foreach (var timeoutMs in new[] { 300, 1500, 5000 })
        {
            results = await RunAsync(configPath, job, timeoutMs, cancellationToken);
            if (results.Count >= expectedResults)
            {
                return results;
            }
        }

        return results;
    }

    private static async Task<IReadOnlyList<PromtoolResult>> RunAsync(
        string configPath, string job, int timeoutMs, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // 2.42 adds :80/:443 to port-less addresses unless this flag is on; 3.x never does (§2.3, §6.3).
        psi.ArgumentList.Add("--enable-feature=no-default-scrape-port");
        psi.ArgumentList.Add("check");
        psi.ArgumentList.Add("service-discovery");
        psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--timeout={timeoutMs}ms"));
        psi.ArgumentList.Add(configPath);
        psi.ArgumentList.Add(job);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("promtool did not start");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ProcessLimit);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        var errors = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"promtool failed for job {job} (exit {process.ExitCode}): {errors}");
        }

        return Parse(output);
    }

    public static IReadOnlyList<PromtoolResult> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<PromtoolResult>();
        foreach (var element in doc.RootElement.EnumerateArray())
        {
            list.Add(new PromtoolResult(
                ReadLabels(element, "discoveredLabels"),
                ReadLabels(element, "labels"),
                element.TryGetProperty("error", out _)));
        }

        return list;
    }

    private static SortedDictionary<string, string> ReadLabels(JsonElement element, string property)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty(property, out var obj) && obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in obj.EnumerateObject())
            {
                labels[p.Name] = p.Value.GetString() ?? "";
            }
        }

        return labels;
    }

    private static void AppendRule(StringBuilder sb, RelabelConfig rule)
    {
        sb.Append("      - action: ").Append(RelabelConfig.ActionName(rule.Action)).Append('\n');
        if (rule.SourceLabels.Count > 0)
        {
            sb.Append("        source_labels: [").AppendJoin(", ", rule.SourceLabels.Select(Quote)).Append("]\n");
        }

        if (rule.Separator != ";")
        {
            sb.Append("        separator: ").Append(Quote(rule.Separator)).Append('\n');
        }

        if (rule.Regex is not null)
        {
            sb.Append("        regex: ").Append(Quote(rule.Regex)).Append('\n');
        }

        if (rule.Modulus != 0)
        {
            sb.Append("        modulus: ").Append(rule.Modulus.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (rule.TargetLabel.Length > 0)
        {
            sb.Append("        target_label: ").Append(Quote(rule.TargetLabel)).Append('\n');
        }

        if (rule.Replacement != "$1")
        {
            sb.Append("        replacement: ").Append(Quote(rule.Replacement)).Append('\n');
        }
    }

    /// <summary>A YAML double-quoted scalar; non-ASCII text is written as UTF-8.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case < ' ':
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
