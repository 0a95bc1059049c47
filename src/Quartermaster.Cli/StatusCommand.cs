using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Quartermaster.Cli;

/// <summary>
/// <c>qmctl status</c>: readiness detail (<c>/readyz?verbose</c>), the discovery sources of every job (from
/// <c>/scrape_configs</c>, with failing ones marked from the readiness detail), warnings, and the distribution of
/// targets over collectors (<c>/collectors</c>).
/// </summary>
internal static partial class StatusCommand
{
    private static readonly string[] SdKinds = ["static_configs", "file_sd_configs", "http_sd_configs", "kubernetes_sd_configs"];

    public static async Task<int> RunAsync(AllocatorClient client, string output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var status = await CollectAsync(client, cancellationToken);
            if (output != "table")
            {
                await Output.WriteAsync(stdout, output, status);
            }
            else
            {
                await WriteTableAsync(stdout, status);
            }

            return 0;
        }
        catch (AllocatorException ex)
        {
            await stderr.WriteLineAsync("qmctl: " + ex.Message);
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"qmctl: cannot reach the allocator at {client.Server}: {ex.Message}");
        }
        catch (TaskCanceledException)
        {
            await stderr.WriteLineAsync($"qmctl: the allocator at {client.Server} did not answer in time");
        }

        return 1;
    }

    internal static async Task<Status> CollectAsync(AllocatorClient client, CancellationToken cancellationToken)
    {
        var (readyStatus, readyBody) = await client.GetAsync("/readyz?verbose", cancellationToken);
        if (readyStatus is not (200 or 503))
        {
            throw new AllocatorException($"GET /readyz?verbose answered {readyStatus}: {readyBody.Trim()}");
        }

        var readiness = readyBody.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var checks = readiness.Where(l => l.StartsWith('[')).ToList();
        var failing = new Dictionary<(string Job, string Mechanism, string Name), string>();
        foreach (var line in checks)
        {
            if (FailingSource().Match(line) is { Success: true } m)
            {
                failing[(m.Groups["job"].Value, m.Groups["mech"].Value, m.Groups["name"].Value)] = m.Groups["error"].Value;
            }
        }

        var sources = new List<SourceRow>();
        if (readyStatus == 200)
        {
            using var configs = await client.GetJsonAsync("/scrape_configs", cancellationToken);
            foreach (var job in configs.RootElement.EnumerateObject())
            {
                foreach (var kind in SdKinds)
                {
                    if (!job.Value.TryGetProperty(kind, out var list) || list.ValueKind != JsonValueKind.Array)
                    {
                        continue;
                    }

                    var mechanism = kind.Replace("_configs", "", StringComparison.Ordinal);
                    foreach (var sd in list.EnumerateArray())
                    {
                        var (watches, name) = Describe(kind, sd);
                        var error = name is null ? null : failing.GetValueOrDefault((job.Name, mechanism, name));
                        sources.Add(new SourceRow(job.Name, mechanism == "static" ? "static" : mechanism, watches, error));
                    }
                }
            }
        }

        using var collectorsDoc = await client.GetJsonAsync("/collectors", cancellationToken);
        var root = collectorsDoc.RootElement;
        var collectors = root.GetProperty("collectors").EnumerateObject()
            .Select(c => new CollectorRow(c.Name, c.Value.GetProperty("targets").GetInt32()))
            .ToList();
        var unknown = root.GetProperty("unknown_collector_ids").EnumerateObject().Select(p => p.Name).ToList();
        var targets = root.GetProperty("targets").GetInt32();
        var unassigned = root.GetProperty("unassigned").GetInt32();
        var warnings = checks.Where(l => l.StartsWith("[-]", StringComparison.Ordinal)).Select(l => l[3..].Trim()).ToList();
        if (unknown.Count > 0)
        {
            warnings.Add($"polled with collector ids that match no collector (served []): {string.Join(", ", unknown)}");
        }

        return new Status(
            readyStatus == 200,
            root.GetProperty("config_version") is { ValueKind: JsonValueKind.String } v ? v.GetString() : null,
            checks,
            targets,
            unassigned,
            collectors,
            unknown,
            sources,
            warnings);
    }

    private static (string Watches, string? StatusName) Describe(string kind, JsonElement sd)
    {
        switch (kind)
        {
            case "static_configs":
                var addresses = sd.TryGetProperty("targets", out var t) ? t.EnumerateArray().Select(a => a.GetString()).ToList() : [];
                return ("targets " + string.Join(", ", addresses.Take(5)) + (addresses.Count > 5 ? $" and {addresses.Count - 5} more" : ""), null);
            case "file_sd_configs":
                var files = sd.TryGetProperty("files", out var f) ? string.Join(",", f.EnumerateArray().Select(x => x.GetString())) : "";
                return ("files " + files, files);
            case "http_sd_configs":
                var url = sd.TryGetProperty("url", out var u) ? u.GetString() ?? "" : "";
                return ("url " + url, url);
            default:
                var role = sd.TryGetProperty("role", out var r) ? r.GetString() ?? "" : "";
                var names = sd.TryGetProperty("namespaces", out var ns) && ns.TryGetProperty("names", out var n) && n.ValueKind == JsonValueKind.Array
                    ? n.EnumerateArray().Select(x => x.GetString()).ToList()
                    : [];
                var api = sd.TryGetProperty("api_server", out var a2) && a2.ValueKind == JsonValueKind.String ? a2.GetString() ?? "" : "";
                return ($"role {role} in {(names.Count == 0 ? "all namespaces" : "namespaces " + string.Join(", ", names))}",
                    $"{role} {(api.Length > 0 ? api : "in-cluster/kubeconfig")}");
        }
    }

    private static async Task WriteTableAsync(TextWriter w, Status s)
    {
        await w.WriteLineAsync($"Ready: {(s.Ready ? "yes" : "NO")}{(s.ConfigVersion is null ? "" : " (config version " + s.ConfigVersion + ")")}");
        foreach (var line in s.Readiness)
        {
            await w.WriteLineAsync("  " + line);
        }

        await w.WriteLineAsync();
        await w.WriteLineAsync("Sources");
        await Table.WriteAsync(w, ["JOB", "KIND", "WATCHES", "STATUS"], [.. s.Sources.Select(r => new[] { r.Job, r.Kind, r.Watches, r.Error is null ? "ok" : "failing: " + r.Error })]);
        await w.WriteLineAsync();
        await w.WriteLineAsync($"Distribution ({s.Targets} targets, {s.Unassigned} unassigned)");
        await Table.WriteAsync(w, ["COLLECTOR", "TARGETS", "SHARE"], [.. s.Collectors.Select(c => new[]
        {
            c.Name, c.Targets.ToString(CultureInfo.InvariantCulture),
            s.Targets == 0 ? "-" : (100.0 * c.Targets / s.Targets).ToString("0.0", CultureInfo.InvariantCulture) + "%",
        })]);
        await w.WriteLineAsync();
        if (s.Warnings.Count == 0)
        {
            await w.WriteLineAsync("Warnings: none");
        }
        else
        {
            await w.WriteLineAsync("Warnings");
            foreach (var warning in s.Warnings)
            {
                await w.WriteLineAsync("  - " + warning);
            }
        }
    }

    [GeneratedRegex(@"^\[-\] discovery (?<mech>\S+) (?<name>.+) of job (?<job>.+) failing \(last targets kept\): (?<error>.*)$")]
    private static partial Regex FailingSource();

    internal sealed record Status(
        bool Ready,
        string? ConfigVersion,
        IReadOnlyList<string> Readiness,
        int Targets,
        int Unassigned,
        IReadOnlyList<CollectorRow> Collectors,
        IReadOnlyList<string> UnknownCollectorIds,
        IReadOnlyList<SourceRow> Sources,
        IReadOnlyList<string> Warnings);

    internal sealed record CollectorRow(string Name, int Targets);

    internal sealed record SourceRow(string Job, string Kind, string Watches, string? Error);
}
