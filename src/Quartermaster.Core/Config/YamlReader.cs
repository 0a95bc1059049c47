using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Core.Config;

/// <summary>
/// Typed access to a YAML representation tree that collects every error (with its key path) instead of stopping
/// at the first.
/// </summary>
internal sealed partial class YamlReader
{
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Errors => _errors;

    public IReadOnlyList<string> Warnings => _warnings;

    public void Error(string path, string message) => _errors.Add(path.Length == 0 ? message : $"{path}: {message}");

    public void Warn(string path, string message) => _warnings.Add(path.Length == 0 ? message : $"{path}: {message}");

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public static string Index(string path, int index) => $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]";

    public static bool IsNull(YamlNode? node) => node is null || (node is YamlScalarNode s && Kind(s) == YamlScalarKind.Null);

    public static YamlScalarKind Kind(YamlScalarNode node)
    {
        if (node.Tag.IsEmpty is false)
        {
            return node.Tag.Value switch
            {
                "tag:yaml.org,2002:str" => YamlScalarKind.String,
                "tag:yaml.org,2002:null" => YamlScalarKind.Null,
                "tag:yaml.org,2002:bool" => YamlScalarKind.Bool,
                "tag:yaml.org,2002:int" => YamlScalarKind.Int,
                "tag:yaml.org,2002:float" => YamlScalarKind.Float,
                _ => YamlScalarKind.String,
            };
        }

        if (node.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return YamlScalarKind.String;
        }

        var v = node.Value ?? "";
        if (v is "" or "~" or "null" or "Null" or "NULL")
        {
            return YamlScalarKind.Null;
        }

        if (TryBool(v, out _))
        {
            return YamlScalarKind.Bool;
        }

        if (IntPattern().IsMatch(v))
        {
            return YamlScalarKind.Int;
        }

        if (FloatPattern().IsMatch(v))
        {
            return YamlScalarKind.Float;
        }

        return YamlScalarKind.String;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => Kind(s) switch
        {
            YamlScalarKind.Null => "null",
            YamlScalarKind.String => "string " + Quote(s.Value ?? ""),
            var k => k.ToString().ToLowerInvariant() + " " + s.Value,
        },
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an unsupported node",
    };

    public static string Quote(string s)
    {
        var sb = new System.Text.StringBuilder(s.Length + 2).Append('"');
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
                    if (c < 0x20)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>
    /// Matches the mapping's keys against <paramref name="known"/> as mapstructure does: exact first, then
    /// case-insensitively. Unmatched keys become warnings. Returns known key → value node.
    /// </summary>
    public Dictionary<string, YamlNode> MatchKeys(YamlMappingNode map, string path, IReadOnlyCollection<string> known, bool caseInsensitive)
    {
        var keys = new List<(string Key, YamlNode Value)>();
        foreach (var entry in map.Children)
        {
            if (entry.Key is YamlScalarNode ks)
            {
                keys.Add((ks.Value ?? "", entry.Value));
            }
            else
            {
                Warn(path, $"ignoring non-scalar key ({Describe(entry.Key)})");
            }
        }

        var used = new bool[keys.Count];
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var name in known)
        {
            var index = keys.FindIndex(k => string.Equals(k.Key, name, StringComparison.Ordinal));
            if (index < 0 && caseInsensitive)
            {
                index = keys.FindIndex(k => !string.Equals(k.Key, name, StringComparison.Ordinal) && string.Equals(k.Key, name, StringComparison.OrdinalIgnoreCase));
            }

            if (index >= 0)
            {
                used[index] = true;
                result[name] = keys[index].Value;
            }
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (!used[i])
            {
                Warn(Join(path, keys[i].Key), "unknown key ignored");
            }
        }

        return result;
    }

    /// <summary>Returns the mapping, or null (with an error unless the node is null).</summary>
    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode m)
        {
            return m;
        }

        if (!IsNull(node))
        {
            Error(path, $"expected a mapping, got {Describe(node)}");
        }

        return null;
    }

    /// <summary>Returns the sequence items, or null (with an error unless the node is null).</summary>
    public IReadOnlyList<YamlNode>? Sequence(YamlNode node, string path)
    {
        if (node is YamlSequenceNode s)
        {
            return [.. s.Children];
        }

        if (!IsNull(node))
        {
            Error(path, $"expected a list, got {Describe(node)}");
        }

        return null;
    }

    /// <summary>Strict (mapstructure) string: only a YAML string; null keeps the current value.</summary>
    public string StrictString(YamlNode node, string path, string current)
    {
        if (IsNull(node))
        {
            return current;
        }

        if (node is YamlScalarNode s && Kind(s) == YamlScalarKind.String)
        {
            return s.Value ?? "";
        }

        Error(path, $"expected a string, got {Describe(node)}");
        return current;
    }

    /// <summary>Strict (mapstructure) bool: only a YAML boolean; null keeps the current value.</summary>
    public bool StrictBool(YamlNode node, string path, bool current)
    {
        if (IsNull(node))
        {
            return current;
        }

        if (node is YamlScalarNode s && Kind(s) == YamlScalarKind.Bool && TryBool(s.Value ?? "", out var b))
        {
            return b;
        }

        Error(path, $"expected a boolean, got {Describe(node)}");
        return current;
    }

    /// <summary>Strict list of strings; null keeps the current value.</summary>
    public IReadOnlyList<string>? StrictStringList(YamlNode node, string path, IReadOnlyList<string>? current)
    {
        if (IsNull(node))
        {
            return current;
        }

        var items = Sequence(node, path);
        if (items is null)
        {
            return current;
        }

        var result = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            result.Add(StrictString(items[i], Index(path, i), ""));
        }

        return result;
    }

    /// <summary>Strict integer: only a YAML int that fits in a <see cref="long"/>; null keeps the current value.</summary>
    public long? StrictInt(YamlNode node, string path, long? current)
    {
        if (IsNull(node))
        {
            return current;
        }

        if (node is YamlScalarNode s && Kind(s) == YamlScalarKind.Int && TryInt(s.Value ?? "", out var v))
        {
            return v;
        }

        Error(path, $"expected an integer, got {Describe(node)}");
        return current;
    }

    /// <summary>A Go <c>time.Duration</c>: a string parsed by Go rules, or a bare integer of nanoseconds.</summary>
    public long? GoDurationNanoseconds(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode s)
        {
            var kind = Kind(s);
            if (kind == YamlScalarKind.Int && TryInt(s.Value ?? "", out var ns))
            {
                return ns;
            }

            if (kind == YamlScalarKind.String)
            {
                if (GoDuration.TryParse(s.Value ?? "", out long parsed, out var error))
                {
                    return parsed;
                }

                Error(path, $"{Quote(s.Value ?? "")} is not a valid duration ({error}); expected a Go duration such as \"30s\" or \"1m0s\"");
                return null;
            }
        }

        Error(path, $"expected a duration, got {Describe(node)}");
        return null;
    }

    /// <summary>yaml.v2 string: any non-null scalar's text; null gives the empty string.</summary>
    public string LooseString(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return "";
        }

        if (node is YamlScalarNode s)
        {
            return s.Value ?? "";
        }

        Error(path, $"expected a string, got {Describe(node)}");
        return "";
    }

    /// <summary>yaml.v2 bool: only a YAML boolean; null gives false.</summary>
    public bool? LooseBool(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode s && Kind(s) == YamlScalarKind.Bool && TryBool(s.Value ?? "", out var b))
        {
            return b;
        }

        Error(path, $"expected a boolean, got {Describe(node)}");
        return null;
    }

    public ulong LooseUInt(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return 0;
        }

        if (node is YamlScalarNode s && Kind(s) == YamlScalarKind.Int && TryUInt(s.Value ?? "", out var v))
        {
            return v;
        }

        Error(path, $"expected a non-negative integer, got {Describe(node)}");
        return 0;
    }

    public double LooseFloat(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return 0;
        }

        if (node is YamlScalarNode s && Kind(s) is YamlScalarKind.Int or YamlScalarKind.Float
            && double.TryParse((s.Value ?? "").Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        Error(path, $"expected a number, got {Describe(node)}");
        return 0;
    }

    public PromDuration LoosePromDuration(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return PromDuration.Zero;
        }

        if (node is YamlScalarNode s)
        {
            if (PromDuration.TryParse(s.Value ?? "", out var d, out var error))
            {
                return d;
            }

            Error(path, error ?? "invalid duration");
            return PromDuration.Zero;
        }

        Error(path, $"expected a duration, got {Describe(node)}");
        return PromDuration.Zero;
    }

    public IReadOnlyList<string> LooseStringList(YamlNode node, string path)
    {
        var items = Sequence(node, path);
        if (items is null)
        {
            return [];
        }

        var result = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            result.Add(LooseString(items[i], Index(path, i)));
        }

        return result;
    }

    /// <summary>A string → string mapping with yaml.v2 scalar coercion; null values are dropped.</summary>
    public List<KeyValuePair<string, string>> LooseStringMap(YamlNode node, string path)
    {
        var result = new List<KeyValuePair<string, string>>();
        var map = Mapping(node, path);
        if (map is null)
        {
            return result;
        }

        foreach (var entry in map.Children)
        {
            var key = LooseString(entry.Key, path);
            if (IsNull(entry.Value))
            {
                continue;
            }

            result.Add(new(key, LooseString(entry.Value, Join(path, key))));
        }

        return result;
    }

    public static bool TryBool(string v, out bool value)
    {
        switch (v)
        {
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                value = true;
                return true;
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static bool TryInt(string v, out long value)
    {
        var neg = v.StartsWith('-');
        if (TryUInt(neg || v.StartsWith('+') ? v[1..] : v, out var u) && u <= (neg ? 1UL << 63 : long.MaxValue))
        {
            value = neg ? (long)(0 - u) : (long)u;
            return true;
        }

        value = 0;
        return false;
    }

    private static bool TryUInt(string v, out ulong value)
    {
        v = v.Replace("_", "", StringComparison.Ordinal);
        if (v.StartsWith('+'))
        {
            v = v[1..];
        }

        if (v.StartsWith("0x", StringComparison.Ordinal))
        {
            return ulong.TryParse(v.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (v.StartsWith("0b", StringComparison.Ordinal))
        {
            return ulong.TryParse(v.AsSpan(2), NumberStyles.AllowBinarySpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (v.Length > 1 && v[0] == '0')
        {
            value = 0;
            var octal = v.StartsWith("0o", StringComparison.Ordinal) ? v[2..] : v[1..];
            foreach (var c in octal)
            {
                if (c is < '0' or > '7' || value > (ulong.MaxValue >> 3))
                {
                    return false;
                }

                value = (value << 3) | (uint)(c - '0');
            }

            return true;
        }

        return ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0b[01_]+|0o?[0-7_]+)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();
}
