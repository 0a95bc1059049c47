using System.Globalization;

namespace Quartermaster.Core.Relabeling;

/// <summary>
/// The Unicode data Go's <c>regexp</c> sees: general categories, scripts, category aliases and simple case-folding
/// orbits of Unicode 15.0.0 (the <c>unicode</c> package of Go 1.21–1.25, with which Prometheus 3.x is built), read
/// from the embedded table that <c>eng/unicode/GenerateTables.cs</c> derives from the Unicode Character Database.
/// .NET's own tables follow a newer Unicode version, so they are not used for matching.
/// </summary>
internal static class GoUnicodeTables
{
    private const string ResourceName = "Quartermaster.Core.Relabeling.Unicode.go-unicode-tables.txt";

    private static readonly Lazy<Tables> Data = new(Load);

    public static string Version => Data.Value.Version;

    /// <summary>The script names Go knows (<c>Greek</c>, <c>Old_Italic</c>, …).</summary>
    public static IEnumerable<string> ScriptNames => Data.Value.Scripts.Keys;

    /// <summary>The simple case-folding orbits: every member maps to its orbit's sorted members.</summary>
    public static IReadOnlyDictionary<int, int[]> Orbits => Data.Value.Orbits;

    /// <summary>
    /// Resolves the name inside <c>\p{…}</c> as Go 1.25's <c>regexp/syntax</c> does: the name is canonicalised (spaces,
    /// underscores and hyphens removed; an initial capital, the rest lower case), then matched against <c>Any</c>,
    /// <c>Assigned</c>, <c>ASCII</c>, <c>LC</c>, the category names, the script names, and the category aliases, in
    /// that order. Script names are matched exactly against their canonical form, so multi-word names such as
    /// <c>Old_Italic</c> are not found, just as in Go. Returns <c>null</c> for an unknown name; <paramref name="negated"/>
    /// is set for names that denote a complement (<c>Assigned</c> is "not <c>Cn</c>").
    /// </summary>
    public static CodePointSet? Lookup(string name, out bool negated)
    {
        negated = false;
        var tables = Data.Value;
        var canonical = Canonical(name);
        switch (canonical)
        {
            case "Any":
                return CodePointSet.Of((0, CodePointSet.MaxRune));
            case "Assigned":
                negated = true;
                return tables.Categories["Cn"];
            case "Ascii":
                return CodePointSet.Of((0, 0x7F));
            case "Lc":
                return tables.Categories["LC"];
        }

        if (tables.Categories.TryGetValue(canonical, out var set) || tables.Scripts.TryGetValue(canonical, out set))
        {
            return set;
        }

        return tables.Aliases.TryGetValue(canonical, out var category) ? tables.Categories[category] : null;
    }

    /// <summary>Go's canonical lookup form of a property name.</summary>
    public static string Canonical(string name)
    {
        var chars = new char[name.Length];
        var length = 0;
        var first = true;
        foreach (var c in name)
        {
            if (c is '_' or '-' or ' ')
            {
                continue;
            }

            chars[length++] = first ? (char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c) : c)
                : char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : c;
            first = false;
        }

        return new string(chars, 0, length);
    }

    private static Tables Load()
    {
        using var stream = typeof(GoUnicodeTables).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        var tables = new Tables();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(' ');
            switch (fields[0])
            {
                case "version":
                    tables.Version = fields[1];
                    break;
                case "category":
                    tables.Categories[fields[1]] = ParseRanges(fields.AsSpan(2));
                    break;
                case "script":
                    tables.Scripts[fields[1]] = ParseRanges(fields.AsSpan(2));
                    break;
                case "alias":
                    tables.Aliases[Canonical(fields[1])] = fields[2];
                    break;
                case "orbit":
                    var members = new int[fields.Length - 1];
                    for (var i = 1; i < fields.Length; i++)
                    {
                        members[i - 1] = Hex(fields[i]);
                    }

                    foreach (var member in members)
                    {
                        tables.Orbits[member] = members;
                    }

                    break;
            }
        }

        return tables;
    }

    private static CodePointSet ParseRanges(ReadOnlySpan<string> fields)
    {
        var set = new CodePointSet();
        foreach (var field in fields)
        {
            var dash = field.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                var cp = Hex(field);
                set.Add(cp, cp);
            }
            else
            {
                set.Add(Hex(field[..dash]), Hex(field[(dash + 1)..]));
            }
        }

        return set;
    }

    private static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private sealed class Tables
    {
        public string Version { get; set; } = "";

        public Dictionary<string, CodePointSet> Categories { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, CodePointSet> Scripts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);

        public Dictionary<int, int[]> Orbits { get; } = [];
    }
}
