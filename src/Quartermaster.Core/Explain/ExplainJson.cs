using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Explain;

/// <summary>
/// The JSON form of an <see cref="ExplainResult"/> (the <c>/explain</c> body), written by hand so its field order is
/// fixed. Labels are objects in label order; times are RFC 3339 UTC with milliseconds.
/// </summary>
public static class ExplainJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body of a 200 (found) or 404 (not found) answer.</summary>
    public static byte[] Write(ExplainResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            if (!result.Found)
            {
                w.WriteString("error", result.NotFoundMessage());
            }

            w.WriteString("query", result.Query.ToString());
            w.WriteStartArray("matchers");
            foreach (var m in result.Query.Matchers)
            {
                w.WriteStringValue(m.ToString());
            }

            w.WriteEndArray();
            WriteNullable(w, "job", result.Query.Job);
            w.WriteBoolean("found", result.Found);
            w.WriteNumber("matches", result.Matches);
            w.WriteBoolean("truncated", result.Matches > result.Sightings.Count);
            w.WriteString("strategy", result.Strategy);
            w.WriteNumber("generation", result.Generation);
            w.WriteStartArray("seen_in");
            foreach (var s in result.Sightings)
            {
                WriteSighting(w, s);
            }

            w.WriteEndArray();
            w.WriteStartArray("unknown_collector_ids");
            foreach (var u in result.UnknownCollectors)
            {
                w.WriteStartObject();
                w.WriteString("collector_id", u.CollectorId);
                w.WriteString("job", u.Job);
                w.WriteString("last_poll", Time(u.Time));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteNullable(w, "unknown_job", result.UnknownJob);
            w.WriteStartArray("discovery_notes");
            foreach (var note in result.DiscoveryNotes)
            {
                w.WriteStringValue(note);
            }

            w.WriteEndArray();
            w.WriteStartArray("candidate_jobs");
            foreach (var c in result.CandidateJobs)
            {
                w.WriteStartObject();
                w.WriteString("job", c.Job);
                w.WriteBoolean("could_have_found", c.CouldHaveFound);
                w.WriteString("reason", c.Reason);
                w.WriteStartArray("sources");
                foreach (var s in c.Sources)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", s.Kind);
                    w.WriteString("key", s.Key);
                    w.WriteString("watches", s.Watches);
                    w.WriteBoolean("could_have_found", s.CouldHaveFound);
                    WriteNullable(w, "last_error", s.LastError);
                    w.WriteStartArray("missing_permissions");
                    foreach (var p in s.MissingPermissions)
                    {
                        w.WriteStringValue(p);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteSighting(Utf8JsonWriter w, TargetSighting s)
    {
        w.WriteStartObject();
        w.WriteString("job", s.Job);
        w.WriteString("source", s.Source);
        w.WriteString("group", s.Group);
        w.WriteString("address", s.Address);
        WriteLabels(w, "discovered_labels", s.DiscoveredLabels);
        var trace = s.Relabel;
        w.WriteStartObject("relabel");
        w.WriteBoolean("kept", trace.Kept);
        if (trace.Kept)
        {
            w.WriteNull("dropped_by_rule");
            w.WriteNull("dropped_by_action");
        }
        else
        {
            w.WriteNumber("dropped_by_rule", trace.DroppedByRule);
            w.WriteString("dropped_by_action", s.DroppedByAction);
        }

        WriteLabels(w, "seeded_labels", trace.Seeded);
        w.WriteStartArray("steps");
        foreach (var step in trace.Steps)
        {
            w.WriteStartObject();
            w.WriteNumber("rule", step.RuleIndex);
            w.WriteString("action", step.Step.ActionName);
            w.WriteBoolean("kept", step.Step.Kept);
            WriteNullable(w, "note", step.Note);
            w.WriteStartArray("changes");
            foreach (var change in step.Step.Changes())
            {
                w.WriteStartObject();
                w.WriteString("name", change.Name);
                WriteNullable(w, "old", change.Old);
                WriteNullable(w, "new", change.New);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (trace.Output is { } output)
        {
            WriteLabels(w, "output_labels", output);
        }
        else
        {
            w.WriteNull("output_labels");
        }

        w.WriteEndObject();
        if (s.Identity is { } identity)
        {
            w.WriteStartObject("identity");
            w.WriteString("hash", identity);
            w.WriteBoolean("deduplicated", s.Collision is { Served: false });
            w.WriteStartArray("collides_with");
            foreach (var other in s.Collision?.Others ?? [])
            {
                w.WriteStartObject();
                w.WriteString("source", other.Source);
                w.WriteString("group", other.Group);
                w.WriteString("address", other.Address);
                w.WriteBoolean("served", other.Served);
                WriteLabels(w, "discovered_labels", other.DiscoveredLabels);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("identity");
        }

        WriteNullable(w, "secrets_withheld", s.SecretsWithheld);
        if (s.Allocation is { } a)
        {
            w.WriteStartObject("allocation");
            w.WriteString("strategy", a.Strategy);
            WriteNullable(w, "collector", a.Collector);
            WriteNullable(w, "collector_node", a.CollectorNode);
            w.WriteString("target_node", a.TargetNode);
            WriteNullable(w, "unassigned_reason", a.UnassignedReason);
            if (a.Collector is not null)
            {
                w.WriteNumber("assigned_in_generation", a.AssignedGeneration);
            }
            else
            {
                w.WriteNull("assigned_in_generation");
            }

            WriteStrings(w, "collectors", a.Collectors);
            WriteStrings(w, "not_ready_collectors", a.NotReadyCollectors);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("allocation");
        }

        if (s.LastPoll is { } p)
        {
            w.WriteStartObject("last_poll");
            w.WriteString("collector", p.Collector);
            WriteNullable(w, "time", p.Time is { } t ? Time(t) : null);
            if (p.Generation is { } g)
            {
                w.WriteNumber("generation", g);
            }
            else
            {
                w.WriteNull("generation");
            }

            if (p.ContainedTarget is { } contained)
            {
                w.WriteBoolean("contained_target", contained);
            }
            else
            {
                w.WriteNull("contained_target");
            }

            w.WriteString("detail", p.Detail);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("last_poll");
        }

        w.WriteEndObject();
    }

    private static void WriteLabels(Utf8JsonWriter w, string name, IEnumerable<Label> labels)
    {
        w.WriteStartObject(name);
        foreach (var label in labels)
        {
            w.WriteString(label.Name, label.Value);
        }

        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
