using System.Globalization;
using System.Text;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// An ordered YAML mapping being built, and the block-style writer for it. Values are <see cref="YamlBlock"/>,
/// <see cref="List{T}"/> of values, <see cref="string"/> (always double-quoted, so no value is ever re-typed by the
/// parser), <see cref="bool"/>, integers and <see cref="double"/>.
/// </summary>
internal sealed class YamlBlock
{
    private readonly List<KeyValuePair<string, object>> _entries = [];

    public int Count => _entries.Count;

    public IReadOnlyList<KeyValuePair<string, object>> Entries => _entries;

    public YamlBlock Add(string key, object value)
    {
        _entries.Add(new(key, value));
        return this;
    }

    public bool ContainsKey(string key) => _entries.Exists(e => e.Key == key);

    public object? Get(string key) => _entries.Find(e => e.Key == key).Value;

    /// <summary>Writes <c>key:</c> and <paramref name="value"/> as a document.</summary>
    public static string Document(string key, object value)
    {
        var sb = new StringBuilder();
        WriteEntry(sb, key, value, 0);
        return sb.ToString();
    }

    private static void WriteEntry(StringBuilder sb, string key, object value, int indent)
    {
        sb.Append(' ', indent).Append(key).Append(':');
        switch (value)
        {
            case YamlBlock { Count: 0 }:
                sb.Append(" {}\n");
                break;
            case YamlBlock map:
                sb.Append('\n');
                WriteMap(sb, map, indent + 2);
                break;
            case List<object> { Count: 0 }:
                sb.Append(" []\n");
                break;
            case List<object> list:
                sb.Append('\n');
                WriteList(sb, list, indent);
                break;
            default:
                sb.Append(' ');
                WriteScalar(sb, value);
                sb.Append('\n');
                break;
        }
    }

    private static void WriteMap(StringBuilder sb, YamlBlock map, int indent)
    {
        foreach (var (key, value) in map._entries)
        {
            WriteEntry(sb, key, value, indent);
        }
    }

    private static void WriteList(StringBuilder sb, List<object> list, int indent)
    {
        foreach (var item in list)
        {
            sb.Append(' ', indent).Append('-');
            switch (item)
            {
                case YamlBlock { Count: > 0 } map:
                    // The first entry goes on the dash's line; the rest align under it.
                    var first = new StringBuilder();
                    WriteEntry(first, map._entries[0].Key, map._entries[0].Value, indent + 2);
                    sb.Append(' ').Append(first.ToString(indent + 2, first.Length - indent - 2));
                    for (var i = 1; i < map._entries.Count; i++)
                    {
                        WriteEntry(sb, map._entries[i].Key, map._entries[i].Value, indent + 2);
                    }

                    break;
                case YamlBlock:
                    sb.Append(" {}\n");
                    break;
                case List<object> { Count: 0 }:
                    sb.Append(" []\n");
                    break;
                case List<object> inner:
                    sb.Append('\n');
                    WriteList(sb, inner, indent + 2);
                    break;
                default:
                    sb.Append(' ');
                    WriteScalar(sb, item);
                    sb.Append('\n');
                    break;
            }
        }
    }

    private static void WriteScalar(StringBuilder sb, object value)
    {
        switch (value)
        {
            case string s:
                Quote(sb, s);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case double d:
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case IFormattable f:
                sb.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name} as YAML");
        }
    }

    /// <summary>A YAML double-quoted scalar; every character that is not printable ASCII-safe is escaped.</summary>
    internal static void Quote(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c is '\u2028' or '\u2029' or '\uFEFF')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
