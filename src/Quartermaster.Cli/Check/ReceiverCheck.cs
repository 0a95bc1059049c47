using System.Text.Json;

namespace Quartermaster.Cli.Check;

/// <summary><c>qmctl check receiver</c>: prints each Prometheus receiver's settings and findings; exit 1 on any error.</summary>
internal static class ReceiverCheck
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <param name="file">The collector config or manifest.</param>
    /// <param name="client">The allocator to ask about the collector id, or null to check offline.</param>
    /// <param name="collectorId">The id to ask about when <c>collector_id</c> comes from the environment.</param>
    /// <param name="output"><c>table</c> or <c>json</c>.</param>
    /// <param name="stdout">Where the report goes.</param>
    /// <param name="stderr">Where the one-line error goes.</param>
    /// <param name="cancellationToken">Cancels the allocator queries.</param>
    public static async Task<int> RunAsync(
        string file, AllocatorClient? client, string? collectorId, string output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"qmctl: cannot read {file}: {ex.Message}");
            return 1;
        }

        var analysis = ReceiverAnalyzer.Analyze(text, file);
        if (analysis.Failure is { } failure)
        {
            foreach (var f in analysis.FileFindings)
            {
                await stdout.WriteLineAsync($"{f.LevelText,-5}  {f.Path}  {f.Message}");
            }

            await stderr.WriteLineAsync("qmctl: " + failure);
            return 1;
        }

        var receivers = analysis.Receivers.ToList();
        if (client is not null)
        {
            CollectorProbe.Served served;
            try
            {
                served = await CollectorProbe.ReadAsync(client, cancellationToken);
            }
            catch (AllocatorException ex)
            {
                await stderr.WriteLineAsync("qmctl: " + ex.Message);
                return 1;
            }

            receivers = receivers
                .Select(r => r.Endpoint is null && r.CollectorId is null
                    ? r
                    : r with
                    {
                        Findings = [.. r.Findings, .. CollectorProbe.Check(served, collectorId ?? r.LiteralCollectorId, r.CollectorId ?? "(unset)", client.Description)],
                    })
                .ToList();
        }

        var errors = receivers.Sum(r => r.Findings.Count(f => f.Level == FindingLevel.Error))
            + analysis.FileFindings.Count(f => f.Level == FindingLevel.Error);
        var warnings = receivers.Sum(r => r.Findings.Count(f => f.Level == FindingLevel.Warn))
            + analysis.FileFindings.Count(f => f.Level == FindingLevel.Warn);
        if (output == "json")
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(
                new
                {
                    file,
                    receivers = receivers.Select(r => new
                    {
                        name = r.Name,
                        source = r.Source,
                        path = r.Path,
                        endpoint = r.Endpoint,
                        interval = r.Interval,
                        collector_id = r.CollectorId,
                        pipelines = r.Pipelines,
                        findings = Json(r.Findings),
                    }),
                    file_findings = Json(analysis.FileFindings),
                    errors,
                    warnings,
                },
                Indented));
        }
        else
        {
            foreach (var r in receivers)
            {
                await stdout.WriteLineAsync($"receiver {r.Name} in {r.Source}");
                await stdout.WriteLineAsync($"  path          {r.Path}");
                await stdout.WriteLineAsync($"  endpoint      {r.Endpoint ?? "(not set)"}");
                await stdout.WriteLineAsync($"  interval      {r.Interval ?? "(not set)"}");
                await stdout.WriteLineAsync($"  collector_id  {r.CollectorId ?? "(not set)"}");
                await stdout.WriteLineAsync($"  pipelines     {(r.Pipelines.Count == 0 ? "(none)" : string.Join(", ", r.Pipelines))}");
                await stdout.WriteLineAsync();
                await Table.WriteAsync(stdout, ["LEVEL", "PATH", "FINDING"], r.Findings.Select(f => new[] { f.LevelText, f.Path, f.Message }).ToList());
                await stdout.WriteLineAsync();
            }

            if (analysis.FileFindings.Count > 0)
            {
                await stdout.WriteLineAsync("file");
                await Table.WriteAsync(stdout, ["LEVEL", "PATH", "FINDING"], analysis.FileFindings.Select(f => new[] { f.LevelText, f.Path, f.Message }).ToList());
                await stdout.WriteLineAsync();
            }

            await stdout.WriteLineAsync($"{receivers.Count} Prometheus receiver(s): {errors} error(s), {warnings} warning(s)");
        }

        if (errors > 0)
        {
            await stderr.WriteLineAsync($"qmctl: {file}: {errors} error(s) in its Prometheus receiver configuration");
            return 1;
        }

        return 0;
    }

    private static IEnumerable<object> Json(IEnumerable<Finding> findings) =>
        findings.Select(f => new { level = f.LevelText, path = f.Path, message = f.Message });
}
