using System.Text;
using System.Text.Json;
using Quartermaster.Core.Labels;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Core.Discovery;

/// <summary>
/// Parses the Prometheus target-group list format (<c>[{targets: [...], labels: {...}}, ...]</c>) shared by
/// <c>file_sd_configs</c> and <c>http_sd_configs</c>.
/// </summary>
/// <remarks>
/// JSON follows Go's <c>encoding/json</c> as Prometheus uses it: field names match case-insensitively, unknown
/// fields are rejected, a duplicated field keeps its last value, and <c>null</c> strings decode as empty.
/// YAML follows <c>yaml.v2</c> <c>UnmarshalStrict</c>: field names match exactly, duplicate keys are rejected, and
/// any non-null scalar decodes to its source text (so <c>123</c> and <c>true</c> become strings) while a null
/// scalar decodes as the empty string.
/// </remarks>
internal static class TargetGroupParser
{
    internal const string AddressLabel = "__address__";
    internal const string NilGroupError = "nil target group item found";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    /// <summary>
    /// Parses a JSON list of groups. Each group gets <c>Source = sourcePrefix + ":" + index</c> and the label
    /// <paramref name="metaLabel"/> (overriding any label of that name the document sets).
    /// </summary>
    public static bool TryParseJson(
        ReadOnlySpan<byte> utf8, string sourcePrefix, Label metaLabel, out List<TargetGroup> groups, out string? error)
    {
        groups = [];
        if (utf8.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            error = "unexpected end of JSON input";
            return false;
        }

        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, state: new JsonReaderState(ReaderOptions));

        // Reused for every group of the document (Build copies out of them), and label strings shared across its
        // groups: a file of thousands of groups repeats the same names and many of the same values.
        var targets = new List<string>();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var strings = new Utf8StringCache();
        try
        {
            if (!reader.Read())
            {
                error = "unexpected end of JSON input";
                return false;
            }

            var hasNil = false;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (true)
                {
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        break;
                    }

                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        hasNil = true;
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        error = At(utf8, reader.TokenStartIndex, $"json: cannot unmarshal {Kind(reader.TokenType)} into a target group");
                        return false;
                    }

                    if (!TryReadJsonGroup(ref reader, utf8, targets, labels, strings, out error))
                    {
                        return false;
                    }

                    groups.Add(Build(sourcePrefix, groups.Count, targets, labels, metaLabel));
                }
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                error = At(utf8, reader.TokenStartIndex, $"json: cannot unmarshal {Kind(reader.TokenType)} into a list of target groups");
                return false;
            }

            if (reader.Read())
            {
                error = At(utf8, reader.TokenStartIndex, "invalid character after top-level value");
                return false;
            }

            if (hasNil)
            {
                groups.Clear();
                error = NilGroupError;
                return false;
            }
        }
        catch (JsonException ex)
        {
            groups.Clear();
            error = $"{FirstSentence(ex.Message)} at line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}";
            return false;
        }
        catch (InvalidOperationException ex)
        {
            groups.Clear();
            error = At(utf8, reader.TokenStartIndex, ex.Message);
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadJsonGroup(
        ref Utf8JsonReader reader,
        ReadOnlySpan<byte> utf8,
        List<string> targets,
        Dictionary<string, string> labels,
        Utf8StringCache strings,
        out string? error)
    {
        targets.Clear();
        labels.Clear();
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                error = null;
                return true;
            }

            var keyStart = reader.TokenStartIndex;
            var key = strings.Get(ref reader);
            Read(ref reader);
            if (string.Equals(key, "targets", StringComparison.OrdinalIgnoreCase))
            {
                // A repeated field replaces the earlier value, as Go's decoder does.
                targets.Clear();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    error = At(utf8, reader.TokenStartIndex, $"json: cannot unmarshal {Kind(reader.TokenType)} into targets (a list of strings)");
                    return false;
                }

                while (true)
                {
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        break;
                    }

                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        targets.Add("");
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = At(utf8, reader.TokenStartIndex, $"json: cannot unmarshal {Kind(reader.TokenType)} into a target (a string)");
                        return false;
                    }

                    targets.Add(reader.GetString()!);
                }
            }
            else if (string.Equals(key, "labels", StringComparison.OrdinalIgnoreCase))
            {
                labels.Clear();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = At(utf8, reader.TokenStartIndex, $"json: cannot unmarshal {Kind(reader.TokenType)} into labels (an object of strings)");
                    return false;
                }

                while (true)
                {
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        break;
                    }

                    var nameStart = reader.TokenStartIndex;
                    var name = strings.Get(ref reader);
                    Read(ref reader);
                    string value;
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        value = "";
                    }
                    else if (reader.TokenType == JsonTokenType.String)
                    {
                        value = strings.Get(ref reader);
                    }
                    else
                    {
                        error = At(utf8, reader.TokenStartIndex, $"json: cannot unmarshal {Kind(reader.TokenType)} into a label value (a string)");
                        return false;
                    }

                    if (name.Length == 0)
                    {
                        error = At(utf8, nameStart, $"{Quote(name)} is not a valid label name");
                        return false;
                    }

                    labels[name] = value;
                }
            }
            else
            {
                error = At(utf8, keyStart, $"json: unknown field {Quote(key)}");
                return false;
            }
        }
    }

    /// <summary>Parses a YAML list of groups; see <see cref="TryParseJson"/> for the meaning of the arguments.</summary>
    public static bool TryParseYaml(string text, string sourcePrefix, Label metaLabel, out List<TargetGroup> groups, out string? error)
    {
        groups = [];
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            error = $"yaml: line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}";
            return false;
        }

        // yaml.v2 decodes the first document only; an empty document means no groups.
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            error = null;
            return true;
        }

        if (stream.Documents[0].RootNode is not YamlSequenceNode sequence)
        {
            error = YamlAt(stream.Documents[0].RootNode, "cannot unmarshal " + YamlKind(stream.Documents[0].RootNode) + " into a list of target groups");
            return false;
        }

        var hasNil = false;
        foreach (var item in sequence.Children)
        {
            if (IsNull(item))
            {
                hasNil = true;
                continue;
            }

            if (item is not YamlMappingNode mapping)
            {
                error = YamlAt(item, "cannot unmarshal " + YamlKind(item) + " into a target group");
                groups.Clear();
                return false;
            }

            if (!TryReadYamlGroup(mapping, out var targets, out var labels, out error))
            {
                groups.Clear();
                return false;
            }

            groups.Add(Build(sourcePrefix, groups.Count, targets, labels, metaLabel));
        }

        if (hasNil)
        {
            groups.Clear();
            error = NilGroupError;
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadYamlGroup(
        YamlMappingNode mapping, out List<string> targets, out Dictionary<string, string> labels, out string? error)
    {
        targets = [];
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode keyScalar)
            {
                error = YamlAt(keyNode, "cannot unmarshal " + YamlKind(keyNode) + " into a field name");
                return false;
            }

            var key = ScalarText(keyScalar);
            if (string.Equals(key, "targets", StringComparison.Ordinal))
            {
                if (IsNull(valueNode))
                {
                    continue;
                }

                if (valueNode is not YamlSequenceNode targetNodes)
                {
                    error = YamlAt(valueNode, "cannot unmarshal " + YamlKind(valueNode) + " into targets (a list of strings)");
                    return false;
                }

                foreach (var target in targetNodes.Children)
                {
                    if (target is not YamlScalarNode targetScalar)
                    {
                        error = YamlAt(target, "cannot unmarshal " + YamlKind(target) + " into a target (a string)");
                        return false;
                    }

                    targets.Add(ScalarText(targetScalar));
                }
            }
            else if (string.Equals(key, "labels", StringComparison.Ordinal))
            {
                if (IsNull(valueNode))
                {
                    continue;
                }

                if (valueNode is not YamlMappingNode labelNodes)
                {
                    error = YamlAt(valueNode, "cannot unmarshal " + YamlKind(valueNode) + " into labels (a map of strings)");
                    return false;
                }

                foreach (var (nameNode, labelValueNode) in labelNodes.Children)
                {
                    if (nameNode is not YamlScalarNode nameScalar)
                    {
                        error = YamlAt(nameNode, "cannot unmarshal " + YamlKind(nameNode) + " into a label name");
                        return false;
                    }

                    if (labelValueNode is not YamlScalarNode valueScalar)
                    {
                        error = YamlAt(labelValueNode, "cannot unmarshal " + YamlKind(labelValueNode) + " into a label value (a string)");
                        return false;
                    }

                    var name = ScalarText(nameScalar);
                    if (name.Length == 0)
                    {
                        error = YamlAt(nameNode, $"{Quote(name)} is not a valid label name");
                        return false;
                    }

                    labels[name] = ScalarText(valueScalar);
                }
            }
            else
            {
                error = YamlAt(keyNode, $"field {key} not found in type targetgroup.Group");
                return false;
            }
        }

        error = null;
        return true;
    }

    private static TargetGroup Build(
        string sourcePrefix, int index, List<string> targets, Dictionary<string, string> labels, Label metaLabel)
    {
        var targetLabels = new Label[targets.Count][];
        for (var i = 0; i < targets.Count; i++)
        {
            targetLabels[i] = [new Label(AddressLabel, targets[i])];
        }

        labels[metaLabel.Name] = metaLabel.Value;
        var groupLabels = new Label[labels.Count];
        var n = 0;
        foreach (var (name, value) in labels)
        {
            groupLabels[n++] = new Label(name, value);
        }

        Array.Sort(groupLabels, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new TargetGroup(sourcePrefix + ":" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), targetLabels, groupLabels);
    }

    private static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of JSON input", null, 0, reader.BytesConsumed);
        }
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "bool",
        _ => "value",
    };

    private static string At(ReadOnlySpan<byte> utf8, long offset, string message)
    {
        var line = 1;
        var lineStart = 0L;
        var end = Math.Min(offset, utf8.Length);
        for (var i = 0; i < end; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return $"{message} at line {line}, column {offset - lineStart + 1}";
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd(' ', '.');
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Tag.IsEmpty
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string ScalarText(YamlScalarNode scalar) => IsNull(scalar) ? "" : scalar.Value ?? "";

    private static string YamlKind(YamlNode node) => node switch
    {
        YamlMappingNode => "!!map",
        YamlSequenceNode => "!!seq",
        _ => "!!str",
    };

    private static string YamlAt(YamlNode node, string message) =>
        $"yaml: line {node.Start.Line}, column {node.Start.Column}: {message}";

    private static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
