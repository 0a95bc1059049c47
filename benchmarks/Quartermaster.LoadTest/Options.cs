using System.Globalization;

namespace Quartermaster.LoadTest;

/// <summary><c>--name value</c> and <c>--flag</c> arguments; every given one must be used.</summary>
internal sealed class Options
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "verify" };
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private Options(Dictionary<string, string> values) => _values = values;

    public static Options? Parse(string[] args, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument {args[i]}";
                return null;
            }

            var name = args[i][2..];
            if (Flags.Contains(name))
            {
                values[name] = "true";
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"--{name} needs a value";
                return null;
            }

            values[name] = args[++i];
        }

        error = null;
        return new Options(values);
    }

    public string? TextOrNull(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public string Text(string name, string fallback) => TextOrNull(name) ?? fallback;

    public bool Flag(string name) => TextOrNull(name) is not null;

    public int Int(string name, int fallback) => TextOrNull(name) is { } v
        ? int.TryParse(v.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException($"--{name} {v}: not a count")
        : fallback;

    public double Double(string name, double fallback) => TextOrNull(name) is { } v
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException($"--{name} {v}: not a number")
        : fallback;

    /// <summary>A duration as <c>500ms</c>, <c>30s</c>, <c>2m</c> or plain seconds.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        if (TextOrNull(name) is not { } v)
        {
            return fallback;
        }

        (string number, double scale) = v.EndsWith("ms", StringComparison.Ordinal) ? (v[..^2], 0.001)
            : v.EndsWith('s') ? (v[..^1], 1)
            : v.EndsWith('m') ? (v[..^1], 60)
            : (v, 1);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? TimeSpan.FromSeconds(n * scale)
            : throw new ArgumentException($"--{name} {v}: not a duration");
    }

    /// <summary><c>--env A=1,B=2</c>: environment variables for the service.</summary>
    public Dictionary<string, string> Environment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (TextOrNull("env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"--env {pair}: expected NAME=VALUE");
            }

            result[pair[..eq]] = pair[(eq + 1)..];
        }

        return result;
    }

    public LabelShape Shape() => Text("shape", "full") switch
    {
        "full" => LabelShape.Full,
        "groups" => LabelShape.Groups,
        var other => throw new ArgumentException($"--shape {other}: expected full or groups"),
    };

    public void EnsureAllUsed()
    {
        var unused = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unused.Count > 0)
        {
            throw new ArgumentException("unknown option(s): " + string.Join(", ", unused.Select(u => "--" + u)));
        }
    }
}

/// <summary>Writes to two writers: the console and the report file.</summary>
internal sealed class TeeWriter(TextWriter first, TextWriter second) : TextWriter
{
    public override System.Text.Encoding Encoding => first.Encoding;

    public override void Write(char value)
    {
        first.Write(value);
        second.Write(value);
    }

    public override void WriteLine(string? value)
    {
        first.WriteLine(value);
        second.WriteLine(value);
    }
}
