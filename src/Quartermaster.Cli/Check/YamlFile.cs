using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Cli.Check;

/// <summary>Loads YAML documents and reads values by key, for the checks.</summary>
internal static partial class YamlFile
{
    /// <summary>
    /// Loads every document. Text copied from documentation often elides parts with an indented <c>...</c> line,
    /// which is not YAML; when the text does not parse and holds such lines, they are dropped and the parse retried.
    /// </summary>
    public static bool TryLoad(string text, out IReadOnlyList<YamlDocument> documents, out int elidedLines, out string error)
    {
        elidedLines = 0;
        if (TryParse(text, out documents, out error))
        {
            return true;
        }

        var lines = text.Split('\n');
        var kept = lines.Where(l => !ElisionLine().IsMatch(l)).ToList();
        if (kept.Count == lines.Length || !TryParse(string.Join('\n', kept), out documents, out _))
        {
            return false;
        }

        elidedLines = lines.Length - kept.Count;
        error = "";
        return true;
    }

    private static bool TryParse(string text, out IReadOnlyList<YamlDocument> documents, out string error)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
            documents = [.. stream.Documents];
            error = "";
            return true;
        }
        catch (YamlException ex)
        {
            documents = [];
            var inner = ex.InnerException as YamlException ?? ex;
            var message = inner.Message;
            var end = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line:", StringComparison.Ordinal) && end >= 0)
            {
                message = message[(end + 3)..];
            }

            error = $"{message} (line {inner.Start.Line}, column {inner.Start.Column})";
            return false;
        }
    }

    public static YamlNode? Get(this YamlNode? node, string key)
    {
        if (node is not YamlMappingNode map)
        {
            return null;
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return v;
            }
        }

        return null;
    }

    public static YamlMappingNode? Map(this YamlNode? node, string key) => node.Get(key) as YamlMappingNode;

    public static string? Text(this YamlNode? node, string key) => node.Get(key) is YamlScalarNode s ? s.Value : null;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode? node) =>
        node is YamlMappingNode map
            ? map.Children.Where(c => c.Key is YamlScalarNode).Select(c => (((YamlScalarNode)c.Key).Value ?? "", c.Value))
            : [];

    public static IReadOnlyList<YamlNode> Items(this YamlNode? node) => node is YamlSequenceNode seq ? seq.Children.ToList() : [];

    public static bool IsEmptyScalar(this YamlNode? node) =>
        node is null || (node is YamlScalarNode s && (string.IsNullOrEmpty(s.Value) || s.Value is "~" or "null") && s.Style == ScalarStyle.Plain);

    [GeneratedRegex(@"^\s+\.\.\.\s*$")]
    private static partial Regex ElisionLine();
}
