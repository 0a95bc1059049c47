using System.Text.Json;

namespace Quartermaster.Cli;

/// <summary>The CLI's commands. Results go to stdout; errors to stderr with exit code 1.</summary>
internal static class Commands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Task<int> JobsAsync(AllocatorClient client, string output, TextWriter stdout, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            using var jobs = await client.GetJsonAsync("/jobs", cancellationToken);
            var rows = new List<string[]>();
            foreach (var job in jobs.RootElement.EnumerateObject())
            {
                using var byCollector = await client.GetJsonAsync(AllocatorClient.TargetsPath(job.Name), cancellationToken);
                var counts = byCollector.RootElement.EnumerateObject()
                    .Select(c => (c.Name, Count: c.Value.GetProperty("targets").GetArrayLength()))
                    .ToList();
                rows.Add([job.Name, counts.Sum(c => c.Count).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(", ", counts.Where(c => c.Count > 0).Select(c => $"{c.Name}={c.Count}"))]);
            }

            if (output != "table")
            {
                var json = rows.ToDictionary(r => r[0], r => new { targets = int.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), collectors = r[2] });
                await Output.WriteAsync(stdout, output, json);
            }
            else
            {
                await Table.WriteAsync(stdout, ["JOB", "TARGETS", "COLLECTORS"], rows);
            }
        });

    public static Task<int> TargetsAsync(AllocatorClient client, string job, string? collector, string output, TextWriter stdout, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            using var byCollector = await client.GetJsonAsync(AllocatorClient.TargetsPath(job), cancellationToken);
            var rows = new List<string[]>();
            foreach (var c in byCollector.RootElement.EnumerateObject())
            {
                if (collector is not null && c.Name != collector)
                {
                    continue;
                }

                foreach (var group in c.Value.GetProperty("targets").EnumerateArray())
                {
                    foreach (var address in group.GetProperty("targets").EnumerateArray())
                    {
                        var labels = group.TryGetProperty("labels", out var l) ? l.EnumerateObject().Count() : 0;
                        rows.Add([address.GetString() ?? "", c.Name, labels.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    }
                }
            }

            if (output != "table")
            {
                await Output.WriteAsync(stdout, output, rows.Select(r => new { target = r[0], collector = r[1] }).ToList());
            }
            else
            {
                await Table.WriteAsync(stdout, ["TARGET", "COLLECTOR", "LABELS"], rows);
            }
        });

    public static Task<int> CollectorsAsync(AllocatorClient client, string output, TextWriter stdout, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            using var doc = await client.GetJsonAsync("/collectors", cancellationToken);
            if (output != "table")
            {
                await Output.WriteAsync(stdout, output, doc.RootElement);
                return;
            }

            var rows = new List<string[]>();
            foreach (var c in doc.RootElement.GetProperty("collectors").EnumerateObject())
            {
                var polls = c.Value.GetProperty("last_polls").EnumerateObject().Select(p => p.Value.GetString() ?? "").ToList();
                rows.Add([
                    c.Name,
                    c.Value.GetProperty("targets").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    polls.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    polls.Count == 0 ? "never" : polls.Max(StringComparer.Ordinal)!,
                ]);
            }

            await Table.WriteAsync(stdout, ["COLLECTOR", "TARGETS", "JOBS POLLED", "LAST POLL"], rows);
            var unknown = doc.RootElement.GetProperty("unknown_collector_ids").EnumerateObject().Select(p => p.Name).ToList();
            if (unknown.Count > 0)
            {
                await stdout.WriteLineAsync();
                await stdout.WriteLineAsync($"Polled with collector ids that match no collector (they get no targets): {string.Join(", ", unknown)}");
            }

            var unassigned = doc.RootElement.GetProperty("unassigned").GetInt32();
            if (unassigned > 0)
            {
                await stdout.WriteLineAsync($"{unassigned} targets are not assigned to any collector.");
            }
        });

    public static Task<int> ScrapeConfigsAsync(AllocatorClient client, string? job, TextWriter stdout, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            using var configs = await client.GetJsonAsync("/scrape_configs", cancellationToken);
            if (job is null)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(configs.RootElement, Indented));
                return;
            }

            if (!configs.RootElement.TryGetProperty(job, out var config))
            {
                throw new AllocatorException($"no scrape config for job {job}; jobs: {string.Join(", ", configs.RootElement.EnumerateObject().Select(p => p.Name))}");
            }

            await stdout.WriteLineAsync(JsonSerializer.Serialize(config, Indented));
        });

    private static async Task<int> Guard(Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (AllocatorException ex)
        {
            await Console.Error.WriteLineAsync("qmctl: " + ex.Message);
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync("qmctl: cannot reach the allocator: " + ex.Message);
            return 1;
        }
        catch (TaskCanceledException)
        {
            await Console.Error.WriteLineAsync("qmctl: the allocator did not answer in time");
            return 1;
        }
    }
}

internal static class Table
{
    public static async Task WriteAsync(TextWriter writer, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        await writer.WriteLineAsync(Format(header, widths));
        foreach (var row in rows)
        {
            await writer.WriteLineAsync(Format(row, widths));
        }
    }

    private static string Format(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
