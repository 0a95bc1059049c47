using System.Text.Json;

namespace Quartermaster.Cli;

/// <summary>
/// <c>qmctl explain</c>: why a target is or is not scraped, from <c>/explain</c>. Found: the sections Seen in,
/// Relabel trace, Identity, Allocation and Last poll per place the target was seen. Not found: the candidate jobs
/// on stdout and one line on stderr, exit code 1.
/// </summary>
internal static class ExplainCommand
{
    public static async Task<int> RunAsync(
        AllocatorClient client, string target, string? job, string output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var path = "/explain?target=" + Uri.EscapeDataString(target) + (job is null ? "" : "&job=" + Uri.EscapeDataString(job));
        int status;
        string body;
        try
        {
            (status, body) = await client.GetAsync(path, cancellationToken);
        }
        catch (AllocatorException ex)
        {
            await stderr.WriteLineAsync("qmctl: " + ex.Message);
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"qmctl: cannot reach the allocator at {client.Server}: {ex.Message}");
            return 1;
        }
        catch (TaskCanceledException)
        {
            await stderr.WriteLineAsync($"qmctl: the allocator at {client.Server} did not answer in time");
            return 1;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            await stderr.WriteLineAsync($"qmctl: GET {path} answered {status}: {body.Trim()}");
            return 1;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (status is not (200 or 404))
            {
                var error = root.TryGetProperty("error", out var e) ? e.GetString() : body.Trim();
                await stderr.WriteLineAsync($"qmctl: {error}");
                return 1;
            }

            if (output != "table")
            {
                await Output.WriteAsync(stdout, output, root);
            }
            else if (status == 200)
            {
                await WriteFoundAsync(stdout, root);
            }
            else
            {
                await WriteCandidatesAsync(stdout, root);
            }

            if (status == 404)
            {
                await stderr.WriteLineAsync("qmctl: " + root.GetProperty("error").GetString());
                return 1;
            }

            return 0;
        }
    }

    private static async Task WriteFoundAsync(TextWriter w, JsonElement root)
    {
        var seen = root.GetProperty("seen_in").EnumerateArray().ToList();
        await w.WriteLineAsync("Seen in");
        await Table.WriteAsync(w, ["JOB", "SOURCE", "GROUP", "ADDRESS", "RELABEL", "COLLECTOR"], [.. seen.Select(s => new[]
        {
            Str(s, "job"), Str(s, "source"), Str(s, "group"), Str(s, "address"),
            s.GetProperty("relabel").GetProperty("kept").GetBoolean() ? "kept" : "dropped",
            s.GetProperty("allocation") is { ValueKind: JsonValueKind.Object } a ? Str(a, "collector") is { Length: > 0 } c ? c : "unassigned" : "-",
        })]);
        var matches = root.GetProperty("matches").GetInt32();
        if (matches > seen.Count)
        {
            await w.WriteLineAsync($"({matches} targets matched; the first {seen.Count} are explained)");
        }

        foreach (var s in seen)
        {
            await w.WriteLineAsync();
            await w.WriteLineAsync($"== {Str(s, "address")} in job {Str(s, "job")} ({Str(s, "source")}, group {Str(s, "group")})");
            await w.WriteLineAsync("Discovered labels: " + Labels(s.GetProperty("discovered_labels")));

            var relabel = s.GetProperty("relabel");
            await w.WriteLineAsync();
            await w.WriteLineAsync("Relabel trace");
            var seeded = relabel.GetProperty("seeded_labels");
            if (seeded.EnumerateObject().Any())
            {
                await w.WriteLineAsync("  seeded: " + Labels(seeded));
            }

            foreach (var step in relabel.GetProperty("steps").EnumerateArray())
            {
                var changes = step.GetProperty("changes").EnumerateArray().Select(Change).ToList();
                var effect = !step.GetProperty("kept").GetBoolean() ? "DROPPED the target"
                    : changes.Count == 0 ? "no change"
                    : string.Join(", ", changes);
                var note = step.GetProperty("note") is { ValueKind: JsonValueKind.String } n ? $" ({n.GetString()})" : "";
                await w.WriteLineAsync($"  rule {step.GetProperty("rule").GetInt32(),3}  {Str(step, "action"),-10} {effect}{note}");
            }

            if (relabel.GetProperty("kept").GetBoolean())
            {
                await w.WriteLineAsync("  kept; labels after relabeling: " + Labels(relabel.GetProperty("output_labels")));
            }
            else
            {
                await w.WriteLineAsync(
                    $"  dropped by rule {relabel.GetProperty("dropped_by_rule").GetInt32()} ({Str(relabel, "dropped_by_action")}) of the job's relabel_configs");
                continue;
            }

            var identity = s.GetProperty("identity");
            await w.WriteLineAsync();
            await w.WriteLineAsync("Identity");
            await w.WriteLineAsync("  hash " + Str(identity, "hash"));
            var others = identity.GetProperty("collides_with").EnumerateArray().ToList();
            if (others.Count == 0)
            {
                await w.WriteLineAsync("  no other target of the job has this identity");
            }
            else
            {
                await w.WriteLineAsync(identity.GetProperty("deduplicated").GetBoolean()
                    ? "  DEDUPLICATED: another target with the same identity is served instead"
                    : "  served; other targets with the same identity are dropped as duplicates");
                foreach (var o in others)
                {
                    await w.WriteLineAsync($"  same identity: {Str(o, "address")} ({Str(o, "source")}, group {Str(o, "group")}){(o.GetProperty("served").GetBoolean() ? " [served]" : "")}");
                }
            }

            var allocation = s.GetProperty("allocation");
            await w.WriteLineAsync();
            await w.WriteLineAsync("Allocation");
            var collector = Str(allocation, "collector");
            var node = Str(allocation, "target_node");
            if (collector.Length > 0)
            {
                var collectorNode = Str(allocation, "collector_node");
                await w.WriteLineAsync($"  {Str(allocation, "strategy")}: collector {collector}{(collectorNode.Length > 0 ? " on node " + collectorNode : "")}");
            }
            else
            {
                await w.WriteLineAsync($"  {Str(allocation, "strategy")}: UNASSIGNED: {Str(allocation, "unassigned_reason")}");
                var collectors = allocation.GetProperty("collectors").EnumerateArray().Select(c => c.GetString()).ToList();
                await w.WriteLineAsync("  collectors: " + (collectors.Count == 0 ? "none" : string.Join(", ", collectors)));
                var notReady = allocation.GetProperty("not_ready_collectors").EnumerateArray().Select(c => c.GetString()).ToList();
                if (notReady.Count > 0)
                {
                    await w.WriteLineAsync("  not ready past the grace period: " + string.Join(", ", notReady));
                }
            }

            if (node.Length > 0)
            {
                await w.WriteLineAsync("  target node: " + node);
            }

            if (s.TryGetProperty("secrets_withheld", out var withheld) && withheld.ValueKind == JsonValueKind.String)
            {
                await w.WriteLineAsync();
                await w.WriteLineAsync("Credentials");
                await w.WriteLineAsync("  WITHHELD: " + withheld.GetString());
            }

            await w.WriteLineAsync();
            await w.WriteLineAsync("Last poll");
            if (s.GetProperty("last_poll") is { ValueKind: JsonValueKind.Object } poll)
            {
                var time = Str(poll, "time");
                await w.WriteLineAsync(time.Length > 0
                    ? $"  {Str(poll, "collector")} polled job {Str(s, "job")} at {time}: {Str(poll, "detail")}"
                    : "  " + Str(poll, "detail"));
            }
            else
            {
                await w.WriteLineAsync("  no collector owns the target, so none is served it");
            }
        }

        await WriteUnknownAsync(w, root);
    }

    private static async Task WriteCandidatesAsync(TextWriter w, JsonElement root)
    {
        if (root.GetProperty("unknown_job") is { ValueKind: JsonValueKind.String } unknown)
        {
            await w.WriteLineAsync(unknown.GetString());
            return;
        }

        if (root.TryGetProperty("discovery_notes", out var notes))
        {
            foreach (var note in notes.EnumerateArray())
            {
                await w.WriteLineAsync("Note: " + note.GetString());
            }
        }

        await w.WriteLineAsync("Never discovered. Jobs that could have found it:");
        var rows = new List<string[]>();
        foreach (var job in root.GetProperty("candidate_jobs").EnumerateArray())
        {
            foreach (var source in job.GetProperty("sources").EnumerateArray())
            {
                var problems = new List<string>();
                if (source.GetProperty("last_error") is { ValueKind: JsonValueKind.String } error)
                {
                    problems.Add("failing: " + error.GetString());
                }

                var missing = source.GetProperty("missing_permissions").EnumerateArray().Select(p => p.GetString()).ToList();
                if (missing.Count > 0)
                {
                    problems.Add("missing permissions: " + string.Join("; ", missing));
                }

                rows.Add([
                    Str(job, "job"), source.GetProperty("could_have_found").GetBoolean() ? "yes" : "no", Str(source, "key"),
                    Str(source, "watches") + (problems.Count > 0 ? " (" + string.Join("; ", problems) + ")" : ""),
                ]);
            }

            if (job.GetProperty("sources").GetArrayLength() == 0)
            {
                rows.Add([Str(job, "job"), "no", "-", Str(job, "reason")]);
            }
        }

        await Table.WriteAsync(w, ["JOB", "COULD FIND", "SOURCE", "WATCHES"], rows);
        await WriteUnknownAsync(w, root);
    }

    private static async Task WriteUnknownAsync(TextWriter w, JsonElement root)
    {
        var unknown = root.GetProperty("unknown_collector_ids").EnumerateArray().ToList();
        if (unknown.Count > 0)
        {
            await w.WriteLineAsync();
            await w.WriteLineAsync("Polled with collector ids that match no collector (they are served []): "
                + string.Join(", ", unknown.Select(u => $"{Str(u, "collector_id")} (job {Str(u, "job")}, last {Str(u, "last_poll")})")));
        }
    }

    private static string Change(JsonElement c)
    {
        var name = Str(c, "name");
        var old = c.GetProperty("old");
        var now = c.GetProperty("new");
        return old.ValueKind == JsonValueKind.Null ? $"+{name}={Quote(now.GetString())}"
            : now.ValueKind == JsonValueKind.Null ? $"-{name}"
            : $"{name}: {Quote(old.GetString())} -> {Quote(now.GetString())}";
    }

    private static string Labels(JsonElement labels) =>
        "{" + string.Join(", ", labels.EnumerateObject().Select(p => $"{p.Name}={Quote(p.Value.GetString())}")) + "}";

    private static string Quote(string? value) => JsonSerializer.Serialize(value ?? "");

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ValueKind == JsonValueKind.Number ? v.GetRawText() : "";
}
