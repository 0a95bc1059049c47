using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>Converts YAML (as Kubernetes resources and <c>scrape_classes</c> are written) to JSON, typing plain scalars as YAML 1.1 does.</summary>
internal static partial class YamlJson
{
    /// <summary>The first document of <paramref name="yaml"/> as JSON; <c>null</c> for an empty document.</summary>
    /// <exception cref="YamlException">The text is not YAML.</exception>
    public static JsonElement? Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0)
        {
            return null;
        }

        var node = Convert(stream.Documents[0].RootNode);
        return node is null ? null : JsonSerializer.SerializeToElement(node);
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var o = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    o[((YamlScalarNode)k).Value ?? ""] = Convert(v);
                }

                return o;
            case YamlSequenceNode seq:
                var a = new JsonArray();
                foreach (var item in seq.Children)
                {
                    a.Add(Convert(item));
                }

                return a;
            case YamlScalarNode s:
                return Scalar(s);
            default:
                return null;
        }
    }

    private static JsonValue? Scalar(YamlScalarNode s)
    {
        var v = s.Value ?? "";
        if (s.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(v);
        }

        if (v is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (v is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (v is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            return JsonValue.Create(i);
        }

        if (FloatPattern().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(v);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
