using System.Text.Json;
using YamlDotNet.Serialization;

namespace Quartermaster.Cli;

/// <summary>Writes a JSON document as indented JSON (<c>-o json</c>) or as YAML (<c>-o yaml</c>).</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly ISerializer Yaml = new SerializerBuilder().WithQuotingNecessaryStrings().Build();

    public static Task WriteAsync(TextWriter writer, string format, JsonElement document) =>
        format == "yaml"
            ? writer.WriteAsync(Yaml.Serialize(ToObject(document)))
            : writer.WriteLineAsync(JsonSerializer.Serialize(document, Indented));

    /// <summary>As <see cref="WriteAsync(TextWriter, string, JsonElement)"/>, for a value serialized to JSON first.</summary>
    public static Task WriteAsync<T>(TextWriter writer, string format, T value)
    {
        using var doc = JsonSerializer.SerializeToDocument(value, SnakeCase);
        return WriteAsync(writer, format, doc.RootElement.Clone());
    }

    /// <summary>Plain dictionaries, lists and scalars in the document's order, for the YAML serializer.</summary>
    private static object? ToObject(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal),
            (d, p) =>
            {
                d[p.Name] = ToObject(p.Value);
                return d;
            }),
        JsonValueKind.Array => e.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
