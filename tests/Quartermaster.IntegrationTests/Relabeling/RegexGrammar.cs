using System.Globalization;
using System.Text;

namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>
/// Random RE2 patterns from a small grammar (literals, escapes, classes, groups, alternation, repetition, anchors,
/// <c>(?i)</c>, non-ASCII text), each with a sampler that produces strings likely to match it. Every pattern is
/// valid for Go 1.19 (Debian's promtool 2.42), so it stays in the subset shared with Prometheus 3.x
/// (prometheus.md §6.3): no <c>(?&lt;name&gt;…)</c> syntax, no nested repetition operators, counts far below 1000.
/// </summary>
internal sealed class RegexGrammar
{
    // Text elements (a surrogate pair is one element). '\n' is deliberately absent: 2.42 anchors with ^(?:…)$, where
    // '.' excludes '\n', while 3.x uses ^(?s:…)$ (§6.3).
    public static readonly string[] Alphabet =
    [
        "a", "b", "c", "x", "y", "z", "A", "B", "0", "1", "9", "-", "_", ".", ":", " ", ";",
        "é", "É", "ß", "Ω", "ω", "日", "😀", "ſ", "\u212A", "k", "K", "s", "S",
    ];

    // Script classes use their exact names: promtool 2.42 (Go 1.19) does not yet accept Go 1.25's loose spellings
    // (\p{greek}, \p{Letter}), which the unit tests cover instead.
    private static readonly (string Pattern, string[] Members)[] Classes =
    [
        (".", Alphabet),
        ("[a-c]", ["a", "b", "c"]),
        ("[^a-c]", ["x", "é", "😀", "-", "A"]),
        ("[0-9]", ["0", "1", "9"]),
        ("\\d", ["0", "9"]),
        ("\\D", ["a", "é", "😀"]),
        ("\\w", ["a", "Z", "0", "_"]),
        ("\\W", ["-", "é", "😀", " "]),
        ("\\s", [" "]),
        ("\\S", ["a", "é"]),
        ("[[:alpha:]]", ["a", "B"]),
        ("[[:^alpha:]]", ["1", "é", "-"]),
        ("[[:upper:]]", ["A", "B"]),
        ("[[:word:]]", ["a", "_", "1"]),
        ("\\pL", ["a", "é", "Ω", "日"]),
        ("\\p{L}", ["a", "ß"]),
        ("\\PL", ["1", "-", "😀"]),
        ("\\p{Lu}", ["A", "É", "Ω"]),
        ("\\p{Greek}", ["Ω", "ω"]),
        ("\\P{Greek}", ["a", "日", "ſ"]),
        ("\\p{Han}", ["日"]),
        ("\\p{Latin}", ["a", "é", "ß", "\u212A"]),
        ("[é-ÿ]", ["é"]),
        ("[a-zé😀]", ["a", "é", "😀"]),
        ("[\\d.]", ["1", "."]),
        ("[^\\d]", ["a", "é"]),
        ("[k-s]", ["k", "s", "m"]),
        ("[-a]", ["-", "a"]),
    ];

    private readonly Random _rnd;
    private int _groups;
    private List<string> _names = [];

    public RegexGrammar(Random rnd) => _rnd = rnd;

    /// <summary>A new pattern with its sampler.</summary>
    public GeneratedPattern Next()
    {
        _groups = 0;
        _names = [];
        var (pattern, sample) = _rnd.Next(100) < 30 ? Alternation(0) : Concat(0);
        if (_rnd.Next(100) < 15)
        {
            pattern = "(?i)" + pattern;
            sample = FoldCase(sample);
        }

        if (_rnd.Next(100) < 8)
        {
            pattern = "^" + pattern;
        }

        if (_rnd.Next(100) < 8)
        {
            pattern += "$";
        }

        var names = _names;
        return new GeneratedPattern(pattern, _groups, names, r =>
        {
            var sb = new StringBuilder();
            sample(r, sb);
            return sb.ToString();
        });
    }

    /// <summary>A random string over <see cref="Alphabet"/>.</summary>
    public static string RandomText(Random rnd, int maxLength)
    {
        var length = rnd.Next(maxLength + 1);
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            sb.Append(Alphabet[rnd.Next(Alphabet.Length)]);
        }

        return sb.ToString();
    }

    /// <summary>Inserts, deletes or replaces one character, so near-misses of a matching sample get tested too.</summary>
    public static string Mutate(Random rnd, string s)
    {
        var elements = TextElements(s);
        var pos = rnd.Next(elements.Count + 1);
        switch (rnd.Next(3))
        {
            case 0:
                elements.Insert(pos, Alphabet[rnd.Next(Alphabet.Length)]);
                break;
            case 1 when elements.Count > 0:
                elements.RemoveAt(Math.Min(pos, elements.Count - 1));
                break;
            default:
                if (elements.Count > 0)
                {
                    elements[Math.Min(pos, elements.Count - 1)] = Alphabet[rnd.Next(Alphabet.Length)];
                }

                break;
        }

        return string.Concat(elements);
    }

    private static List<string> TextElements(string s)
    {
        var list = new List<string>();
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length)
            {
                list.Add(s.Substring(i, 2));
                i++;
            }
            else
            {
                list.Add(s[i].ToString());
            }
        }

        return list;
    }

    private static Sampler FoldCase(Sampler inner) => (r, sb) =>
    {
        var start = sb.Length;
        inner(r, sb);
        for (var i = start; i < sb.Length; i++)
        {
            if (r.Next(2) == 0)
            {
                var c = sb[i];
                sb[i] = char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
            }
        }
    };

    private (string Pattern, Sampler Sample) Alternation(int depth)
    {
        var count = 2 + _rnd.Next(2);
        var patterns = new List<string>();
        var samplers = new List<Sampler>();
        for (var i = 0; i < count; i++)
        {
            // An empty branch is valid RE2 (`a|`); inside a repeated group it makes the iteration able to match empty.
            if (_rnd.Next(100) < 12)
            {
                patterns.Add("");
                samplers.Add(static (_, _) => { });
                continue;
            }

            var (p, s) = Concat(depth);
            patterns.Add(p);
            samplers.Add(s);
        }

        return (string.Join("|", patterns), (r, sb) => samplers[r.Next(samplers.Count)](r, sb));
    }

    private (string Pattern, Sampler Sample) Concat(int depth)
    {
        var count = 1 + _rnd.Next(depth == 0 ? 4 : 3);
        var sb = new StringBuilder();
        var samplers = new List<Sampler>();
        for (var i = 0; i < count; i++)
        {
            var (p, s) = Repeat(depth);
            sb.Append(p);
            samplers.Add(s);
        }

        return (sb.ToString(), (r, b) =>
        {
            foreach (var s in samplers)
            {
                s(r, b);
            }
        });
    }

    private (string Pattern, Sampler Sample) Repeat(int depth)
    {
        if (_rnd.Next(100) >= 35)
        {
            return Atom(depth);
        }

        // Repeated groups may hold captures and repetitions of their own, so loops nest and iterations can match
        // empty (`(([A-Z]*?)+)é`), where Go's captures follow its machine's visited states.
        var (p, s) = Atom(depth);

        var (op, min, max) = _rnd.Next(7) switch
        {
            0 => ("*", 0, 3),
            1 => ("+", 1, 3),
            2 => ("?", 0, 1),
            3 => ("{2}", 2, 2),
            4 => ("{1,3}", 1, 3),
            5 => ("{0,2}", 0, 2),
            _ => ("{2,}", 2, 4),
        };
        if (_rnd.Next(100) < 30)
        {
            op += "?";
        }

        return (p + op, (r, sb) =>
        {
            var n = r.Next(min, max + 1);
            for (var i = 0; i < n; i++)
            {
                s(r, sb);
            }
        });
    }

    private (string Pattern, Sampler Sample) Atom(int depth)
    {
        var roll = _rnd.Next(100);
        if (depth < 3 && roll < 22)
        {
            return Group(depth);
        }

        if (roll < 50)
        {
            var (pattern, members) = Classes[_rnd.Next(Classes.Length)];
            return (pattern, (r, sb) => sb.Append(members[r.Next(members.Length)]));
        }

        if (roll < 53)
        {
            // Go's ASCII word boundary; the engine needs its backtracking fallback for it.
            return (_rnd.Next(2) == 0 ? "\\b" : "\\B", static (_, _) => { });
        }

        return Literal();
    }

    private (string Pattern, Sampler Sample) Group(int depth)
    {
        var kind = _rnd.Next(100);
        string open;
        Func<Sampler, Sampler> wrap = static s => s;
        if (kind < 45)
        {
            _groups++;
            open = "(";
        }
        else if (kind < 60)
        {
            _groups++;
            // Names may repeat and may start with a digit in RE2; Go 1.19 only knows the (?P<…>) spelling.
            var name = _rnd.Next(4) switch
            {
                0 => "n1",
                1 => "n2",
                2 => "1a",
                _ => "name",
            };
            _names.Add(name);
            open = "(?P<" + name + ">";
        }
        else if (kind < 85)
        {
            open = "(?:";
        }
        else
        {
            open = "(?i:";
            wrap = FoldCase;
        }

        var (p, s) = _rnd.Next(100) < 40 ? Alternation(depth + 1) : Concat(depth + 1);
        return (open + p + ")", wrap(s));
    }

    private (string Pattern, Sampler Sample) Literal()
    {
        var text = Alphabet[_rnd.Next(Alphabet.Length)];
        var rune = Rune.GetRuneAt(text, 0);
        var pattern = text switch
        {
            "." => "\\.",
            " " when _rnd.Next(2) == 0 => "\\x20",
            "_" when _rnd.Next(2) == 0 => "\\_",
            "-" when _rnd.Next(2) == 0 => "\\Q-\\E",
            _ when rune.Value > 127 && _rnd.Next(4) == 0 => "\\x{" + rune.Value.ToString("X", CultureInfo.InvariantCulture) + "}",
            _ => text,
        };
        return (pattern, (_, sb) => sb.Append(text));
    }

    internal delegate void Sampler(Random rnd, StringBuilder destination);
}
