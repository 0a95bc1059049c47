using System.Globalization;
using System.Text.Json;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// Typed reads of a resource's JSON spec. A field of the wrong type rejects the resource with the field's path;
/// absent and <c>null</c> fields read as absent.
/// </summary>
internal static class Spec
{
    public static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    public static string Index(string path, int index) => path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    public static JsonElement? Field(JsonElement e, string name)
    {
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null)
        {
            return v;
        }

        return null;
    }

    public static JsonElement? Object(JsonElement e, string name, string path)
    {
        if (Field(e, name) is not { } v)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Object ? v : throw Invalid(Join(path, name), "an object", v);
    }

    public static string? String(JsonElement e, string name, string path)
    {
        if (Field(e, name) is not { } v)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Invalid(Join(path, name), "a string", v);
    }

    public static string NonEmpty(JsonElement e, string name, string path) => String(e, name, path) ?? "";

    public static bool? Bool(JsonElement e, string name, string path)
    {
        if (Field(e, name) is not { } v)
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(Join(path, name), "a boolean", v),
        };
    }

    public static long? Integer(JsonElement e, string name, string path)
    {
        if (Field(e, name) is not { } v)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0
            ? n
            : throw Invalid(Join(path, name), "a non-negative integer", v);
    }

    /// <summary>A Kubernetes quantity or number as a float (<c>"1.5"</c>, <c>2</c>).</summary>
    public static double? Number(JsonElement e, string name, string path)
    {
        if (Field(e, name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            return v.GetDouble();
        }

        if (v.ValueKind == JsonValueKind.String
            && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        throw Invalid(Join(path, name), "a number", v);
    }

    public static IReadOnlyList<JsonElement> Array(JsonElement e, string name, string path)
    {
        if (Field(e, name) is not { } v)
        {
            return [];
        }

        return v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray()] : throw Invalid(Join(path, name), "a list", v);
    }

    public static IReadOnlyList<string> Strings(JsonElement e, string name, string path)
    {
        var items = Array(e, name, path);
        var result = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            result.Add(items[i].ValueKind == JsonValueKind.String
                ? items[i].GetString()!
                : throw Invalid(Index(Join(path, name), i), "a string", items[i]));
        }

        return result;
    }

    /// <summary>A string-to-string map, sorted by key.</summary>
    public static SortedDictionary<string, string> StringMap(JsonElement e, string name, string path)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Object(e, name, path) is { } map)
        {
            foreach (var p in map.EnumerateObject())
            {
                result[p.Name] = p.Value.ValueKind == JsonValueKind.String
                    ? p.Value.GetString()!
                    : throw Invalid(Join(Join(path, name), p.Name), "a string", p.Value);
            }
        }

        return result;
    }

    public static ResourceInvalidException Invalid(string path, string expected, JsonElement got) =>
        new($"{path}: expected {expected}, got {Describe(got)}");

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "string " + JsonSerializer.Serialize(v.GetString()),
        JsonValueKind.Number => "number " + v.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => "boolean " + v.GetRawText(),
        _ => v.ValueKind.ToString(),
    };
}
