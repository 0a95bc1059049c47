using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>
/// A parsed <c>fieldSelector</c> query parameter: comma-separated <c>field=value</c>, <c>field==value</c> or
/// <c>field!=value</c> terms over the fields the API server indexes for the kind.
/// </summary>
public sealed class FieldSelector
{
    private static readonly Dictionary<string, string[]> KindFields = new(StringComparer.Ordinal)
    {
        ["Pod"] =
        [
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
            "status.phase", "status.podIP", "status.nominatedNodeName",
        ],
        ["Node"] = ["spec.unschedulable"],
        ["Namespace"] = ["status.phase"],
        ["Secret"] = ["type"],
        ["Service"] = ["spec.clusterIP", "spec.type"],
    };

    private readonly (string Field, string Value, bool Equal)[] _terms;

    private FieldSelector((string, string, bool)[] terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public static bool TryParse(string? text, string kind, [NotNullWhen(true)] out FieldSelector? selector, [NotNullWhen(false)] out string? error)
    {
        selector = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            selector = Everything;
            return true;
        }

        var terms = new List<(string, string, bool)>();
        foreach (var part in SplitUnescaped(text, ','))
        {
            string field;
            string value;
            bool equal;
            var notEqual = part.IndexOf("!=", StringComparison.Ordinal);
            var eq = part.IndexOf('=');
            if (notEqual >= 0 && notEqual < eq)
            {
                (field, value, equal) = (part[..notEqual], part[(notEqual + 2)..], false);
            }
            else if (eq >= 0)
            {
                var skip = eq + 1 < part.Length && part[eq + 1] == '=' ? 2 : 1;
                (field, value, equal) = (part[..eq], part[(eq + skip)..], true);
            }
            else
            {
                error = $"invalid selector: '{text}'; can't understand '{part}'";
                return false;
            }

            field = field.Trim();
            if (field is not ("metadata.name" or "metadata.namespace")
                && !(KindFields.TryGetValue(kind, out var allowed) && allowed.Contains(field)))
            {
                error = $"field label not supported: {field}";
                return false;
            }

            terms.Add((field, Unescape(value), equal));
        }

        selector = new FieldSelector([.. terms]);
        return true;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, value, equal) in _terms)
        {
            if ((FieldValue(obj, field) == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string FieldValue(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.Split('.'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(segment, out var child) ? child : null;
        }

        return node switch
        {
            null => "",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => node.ToJsonString(),
        };
    }

    private static List<string> SplitUnescaped(string text, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == separator)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static string Unescape(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            builder.Append(value[i]);
        }

        return builder.ToString();
    }
}
