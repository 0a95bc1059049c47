using System.Text.Json;

namespace Quartermaster.Cli.Check;

/// <summary>
/// Asks a running allocator whether it knows a collector id and what it serves that collector. Reads
/// <c>/collectors</c> when the allocator has it, and the per-job collector maps (<c>/jobs</c>, then
/// <c>/jobs/{job}/targets</c>), which upstream allocators also serve. It never polls with <c>collector_id</c>, so the
/// check leaves no trace in the allocator's poll tracking.
/// </summary>
internal static class CollectorProbe
{
    /// <summary>What the allocator serves: per collector, the jobs with targets for it and its target count.</summary>
    public sealed record Served(IReadOnlySet<string> Collectors, IReadOnlyDictionary<string, (int Jobs, int Targets)> PerCollector, int JobCount);

    public static async Task<Served> ReadAsync(AllocatorClient client, CancellationToken cancellationToken)
    {
        var collectors = new SortedSet<string>(StringComparer.Ordinal);
        var fromCollectors = true;
        try
        {
            using var doc = await client.GetJsonAsync("/collectors", cancellationToken);
            if (doc.RootElement.TryGetProperty("collectors", out var list) && list.ValueKind == JsonValueKind.Object)
            {
                foreach (var c in list.EnumerateObject())
                {
                    collectors.Add(c.Name);
                }
            }
        }
        catch (AllocatorException ex) when (ex.Status == 404)
        {
            fromCollectors = false;
        }

        var perCollector = new Dictionary<string, (int Jobs, int Targets)>(StringComparer.Ordinal);
        using var jobs = await client.GetJsonAsync("/jobs", cancellationToken);
        var jobCount = 0;
        foreach (var job in jobs.RootElement.EnumerateObject())
        {
            jobCount++;
            using var map = await client.GetJsonAsync(AllocatorClient.TargetsPath(job.Name), cancellationToken);
            foreach (var c in map.RootElement.EnumerateObject())
            {
                if (!fromCollectors)
                {
                    collectors.Add(c.Name);
                }

                var targets = 0;
                if (c.Value.TryGetProperty("targets", out var groups) && groups.ValueKind == JsonValueKind.Array)
                {
                    foreach (var group in groups.EnumerateArray())
                    {
                        targets += group.TryGetProperty("targets", out var t) && t.ValueKind == JsonValueKind.Array ? t.GetArrayLength() : 0;
                    }
                }

                if (targets > 0)
                {
                    var (j, n) = perCollector.GetValueOrDefault(c.Name);
                    perCollector[c.Name] = (j + 1, n + targets);
                }
            }
        }

        return new Served(collectors, perCollector, jobCount);
    }

    /// <summary>Findings about <paramref name="collectorId"/>, or about the collector set when the id comes from the pod name.</summary>
    public static IReadOnlyList<Finding> Check(Served served, string? collectorId, string configuredId, string server)
    {
        const string Path = "--server";
        var known = served.Collectors.Count == 0 ? "none" : string.Join(", ", served.Collectors.Take(10)) + (served.Collectors.Count > 10 ? ", ..." : "");
        if (collectorId is null)
        {
            if (served.Collectors.Count == 0)
            {
                return [Finding.Error(Path, $"{server} knows no collectors at all, so it assigns no targets")];
            }

            return [Finding.Ok(Path, $"{server} serves {served.JobCount} job(s) to {served.Collectors.Count} collector(s): {known}; " +
                $"collector_id {configuredId} must expand to one of them (pass --collector-id to check one)")];
        }

        if (!served.Collectors.Contains(collectorId))
        {
            return [Finding.Error(Path, $"{server} knows no collector {collectorId}: it answers that id with no targets (collectors: {known})")];
        }

        var (jobs, targets) = served.PerCollector.GetValueOrDefault(collectorId);
        return targets == 0
            ? [Finding.Warn(Path, $"{server} knows collector {collectorId} but assigns it no targets ({served.JobCount} job(s) in all)")]
            : [Finding.Ok(Path, $"{server} knows collector {collectorId}: {targets} target(s) in {jobs} of {served.JobCount} job(s)")];
    }
}
