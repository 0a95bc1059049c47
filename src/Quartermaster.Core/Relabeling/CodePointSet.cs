using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Relabeling;

/// <summary>A set of Unicode code points as sorted, non-overlapping inclusive ranges; used to translate RE2 classes.</summary>
internal sealed class CodePointSet
{
    public const int MaxRune = 0x10FFFF;

    private static readonly Lazy<Dictionary<string, CodePointSet>> CategorySets = new(BuildCategorySets);
    private static readonly Lazy<(int[] Keys, Dictionary<int, int[]> Orbits)> FoldOrbits = new(BuildFoldOrbits);

    private readonly List<(int Lo, int Hi)> _ranges = [];
    private bool _normalized = true;

    public IReadOnlyList<(int Lo, int Hi)> Ranges
    {
        get
        {
            Normalize();
            return _ranges;
        }
    }

    public bool IsEmpty => Ranges.Count == 0;

    public void Add(int lo, int hi)
    {
        if (lo > hi)
        {
            return;
        }

        if (_ranges.Count > 0 && _ranges[^1].Hi + 1 < lo)
        {
            _ranges.Add((lo, hi));
            return;
        }

        _ranges.Add((lo, hi));
        _normalized = false;
    }

    public void Add(CodePointSet other)
    {
        foreach (var (lo, hi) in other.Ranges)
        {
            Add(lo, hi);
        }
    }

    /// <summary>Adds <c>[lo, hi]</c> plus every code point that case-folds to a member (Go <c>appendFoldedRange</c>).</summary>
    public void AddFolded(int lo, int hi)
    {
        Add(lo, hi);
        var (keys, orbits) = FoldOrbits.Value;
        var start = Array.BinarySearch(keys, lo);
        if (start < 0)
        {
            start = ~start;
        }

        for (var i = start; i < keys.Length && keys[i] <= hi; i++)
        {
            foreach (var member in orbits[keys[i]])
            {
                Add(member, member);
            }
        }
    }

    public void AddFolded(CodePointSet other)
    {
        foreach (var (lo, hi) in other.Ranges)
        {
            AddFolded(lo, hi);
        }
    }

    /// <summary>The members of <paramref name="codePoint"/>'s simple case-folding orbit, or null if it has none.</summary>
    public static int[]? Orbit(int codePoint) =>
        FoldOrbits.Value.Orbits.TryGetValue(codePoint, out var orbit) ? orbit : null;

    public CodePointSet Negate()
    {
        var result = new CodePointSet();
        var next = 0;
        foreach (var (lo, hi) in Ranges)
        {
            if (lo > next)
            {
                result.Add(next, lo - 1);
            }

            next = hi + 1;
        }

        if (next <= MaxRune)
        {
            result.Add(next, MaxRune);
        }

        return result;
    }

    public static CodePointSet Of(params (int Lo, int Hi)[] ranges)
    {
        var set = new CodePointSet();
        foreach (var (lo, hi) in ranges)
        {
            set.Add(lo, hi);
        }

        return set;
    }

    /// <summary>A Unicode general category by its Go name (<c>L</c>, <c>Lu</c>, <c>Nd</c>, …, or <c>Any</c>).</summary>
    public static CodePointSet? Category(string name) =>
        name == "Any" ? Of((0, MaxRune)) : CategorySets.Value.GetValueOrDefault(name);

    /// <summary>
    /// Emits a .NET pattern fragment matching exactly one code point of this set. BMP members become one character
    /// class (surrogates excluded, since valid text never holds lone ones); supplementary members become
    /// surrogate-pair alternatives so that a code point is consumed as a unit, as Go does.
    /// </summary>
    public string ToPattern(out bool isSingleAtom)
    {
        var bmp = new StringBuilder();
        var bmpRanges = 0;
        var supplementary = new List<(int Lo, int Hi)>();
        foreach (var (lo, hi) in Ranges)
        {
            AddBmpPart(bmp, ref bmpRanges, lo, Math.Min(hi, 0xD7FF));
            AddBmpPart(bmp, ref bmpRanges, Math.Max(lo, 0xE000), Math.Min(hi, 0xFFFF));
            if (hi >= 0x10000)
            {
                supplementary.Add((Math.Max(lo, 0x10000), hi));
            }
        }

        var parts = new List<string>();
        if (bmpRanges > 0)
        {
            parts.Add("[" + bmp + "]");
        }

        foreach (var (lo, hi) in supplementary)
        {
            AppendSurrogateAlternatives(parts, lo, hi);
        }

        if (parts.Count == 0)
        {
            isSingleAtom = true;
            return "[^\\u0000-\\uFFFF]";
        }

        if (parts.Count == 1 && bmpRanges > 0)
        {
            isSingleAtom = true;
            return parts[0];
        }

        isSingleAtom = true;
        return "(?:" + string.Join('|', parts) + ")";
    }

    public static string EscapeUnit(int c) => "\\u" + c.ToString("X4", CultureInfo.InvariantCulture);

    private static void AddBmpPart(StringBuilder sb, ref int count, int lo, int hi)
    {
        if (lo > hi)
        {
            return;
        }

        sb.Append(EscapeUnit(lo));
        if (hi > lo)
        {
            sb.Append('-').Append(EscapeUnit(hi));
        }

        count++;
    }

    private static void AppendSurrogateAlternatives(List<string> parts, int lo, int hi)
    {
        while (lo <= hi)
        {
            var loHigh = 0xD800 + ((lo - 0x10000) >> 10);
            var loLow = 0xDC00 + ((lo - 0x10000) & 0x3FF);
            var blockEnd = lo | 0x3FF;
            if (loLow != 0xDC00 || blockEnd > hi)
            {
                var end = Math.Min(blockEnd, hi);
                var endLow = 0xDC00 + ((end - 0x10000) & 0x3FF);
                parts.Add(EscapeUnit(loHigh) + "[" + EscapeUnit(loLow) + "-" + EscapeUnit(endLow) + "]");
                lo = end + 1;
                continue;
            }

            // Whole 1024-code-point blocks share one high-surrogate range.
            var lastFull = ((hi + 1) & ~0x3FF) - 1;
            var hiHigh = 0xD800 + ((lastFull - 0x10000) >> 10);
            parts.Add("[" + EscapeUnit(loHigh) + "-" + EscapeUnit(hiHigh) + "][\\uDC00-\\uDFFF]");
            lo = lastFull + 1;
        }
    }

    private void Normalize()
    {
        if (_normalized)
        {
            return;
        }

        _ranges.Sort(static (a, b) => a.Lo.CompareTo(b.Lo));
        var merged = 0;
        for (var i = 1; i < _ranges.Count; i++)
        {
            var current = _ranges[merged];
            var next = _ranges[i];
            if (next.Lo <= current.Hi + 1)
            {
                _ranges[merged] = (current.Lo, Math.Max(current.Hi, next.Hi));
            }
            else
            {
                _ranges[++merged] = next;
            }
        }

        _ranges.RemoveRange(merged + 1, _ranges.Count - merged - 1);
        _normalized = true;
    }

    private static Dictionary<string, CodePointSet> BuildCategorySets()
    {
        var byCategory = new CodePointSet[30];
        for (var i = 0; i < byCategory.Length; i++)
        {
            byCategory[i] = new CodePointSet();
        }

        var runStart = 0;
        var runCategory = CategoryOf(0);
        for (var cp = 1; cp <= MaxRune + 1; cp++)
        {
            var category = cp <= MaxRune ? CategoryOf(cp) : (UnicodeCategory)(-1);
            if (category != runCategory)
            {
                byCategory[(int)runCategory].Add(runStart, cp - 1);
                runStart = cp;
                runCategory = category;
            }
        }

        var result = new Dictionary<string, CodePointSet>(StringComparer.Ordinal);
        void Put(string name, params UnicodeCategory[] categories)
        {
            var set = new CodePointSet();
            foreach (var c in categories)
            {
                set.Add(byCategory[(int)c]);
            }

            result[name] = set;
        }

        Put("Lu", UnicodeCategory.UppercaseLetter);
        Put("Ll", UnicodeCategory.LowercaseLetter);
        Put("Lt", UnicodeCategory.TitlecaseLetter);
        Put("Lm", UnicodeCategory.ModifierLetter);
        Put("Lo", UnicodeCategory.OtherLetter);
        Put("L", UnicodeCategory.UppercaseLetter, UnicodeCategory.LowercaseLetter, UnicodeCategory.TitlecaseLetter,
            UnicodeCategory.ModifierLetter, UnicodeCategory.OtherLetter);
        Put("Mn", UnicodeCategory.NonSpacingMark);
        Put("Mc", UnicodeCategory.SpacingCombiningMark);
        Put("Me", UnicodeCategory.EnclosingMark);
        Put("M", UnicodeCategory.NonSpacingMark, UnicodeCategory.SpacingCombiningMark, UnicodeCategory.EnclosingMark);
        Put("Nd", UnicodeCategory.DecimalDigitNumber);
        Put("Nl", UnicodeCategory.LetterNumber);
        Put("No", UnicodeCategory.OtherNumber);
        Put("N", UnicodeCategory.DecimalDigitNumber, UnicodeCategory.LetterNumber, UnicodeCategory.OtherNumber);
        Put("Zs", UnicodeCategory.SpaceSeparator);
        Put("Zl", UnicodeCategory.LineSeparator);
        Put("Zp", UnicodeCategory.ParagraphSeparator);
        Put("Z", UnicodeCategory.SpaceSeparator, UnicodeCategory.LineSeparator, UnicodeCategory.ParagraphSeparator);
        Put("Cc", UnicodeCategory.Control);
        Put("Cf", UnicodeCategory.Format);
        Put("Cs", UnicodeCategory.Surrogate);
        Put("Co", UnicodeCategory.PrivateUse);
        Put("C", UnicodeCategory.Control, UnicodeCategory.Format, UnicodeCategory.Surrogate, UnicodeCategory.PrivateUse);
        Put("Pc", UnicodeCategory.ConnectorPunctuation);
        Put("Pd", UnicodeCategory.DashPunctuation);
        Put("Ps", UnicodeCategory.OpenPunctuation);
        Put("Pe", UnicodeCategory.ClosePunctuation);
        Put("Pi", UnicodeCategory.InitialQuotePunctuation);
        Put("Pf", UnicodeCategory.FinalQuotePunctuation);
        Put("Po", UnicodeCategory.OtherPunctuation);
        Put("P", UnicodeCategory.ConnectorPunctuation, UnicodeCategory.DashPunctuation, UnicodeCategory.OpenPunctuation,
            UnicodeCategory.ClosePunctuation, UnicodeCategory.InitialQuotePunctuation,
            UnicodeCategory.FinalQuotePunctuation, UnicodeCategory.OtherPunctuation);
        Put("Sm", UnicodeCategory.MathSymbol);
        Put("Sc", UnicodeCategory.CurrencySymbol);
        Put("Sk", UnicodeCategory.ModifierSymbol);
        Put("So", UnicodeCategory.OtherSymbol);
        Put("S", UnicodeCategory.MathSymbol, UnicodeCategory.CurrencySymbol, UnicodeCategory.ModifierSymbol,
            UnicodeCategory.OtherSymbol);
        return result;
    }

    private static UnicodeCategory CategoryOf(int cp) =>
        cp is >= 0xD800 and <= 0xDFFF ? UnicodeCategory.Surrogate : Rune.GetUnicodeCategory(new Rune(cp));

    // Go's simple-fold orbits whose members .NET's invariant casing does not connect (from Go's unicode caseOrbit
    // table; under InvariantGlobalization .NET does not map U+017F to 'S').
    private static readonly (int A, int B)[] GoFoldEdges =
    [
        (0x017F, 0x0073), (0x00B5, 0x03BC), (0x0345, 0x03B9), (0x03D0, 0x03B2), (0x03F5, 0x03B5), (0x03D1, 0x03B8),
        (0x03F4, 0x03B8), (0x1FBE, 0x03B9), (0x03F0, 0x03BA), (0x03D6, 0x03C0), (0x03F1, 0x03C1), (0x03C2, 0x03C3),
        (0x03D5, 0x03C6), (0x1E9B, 0x1E61), (0x1E9E, 0x00DF), (0x2126, 0x03C9), (0x212A, 0x006B), (0x212B, 0x00E5),
        (0x1C80, 0x0432), (0x1C81, 0x0434), (0x1C82, 0x043E), (0x1C83, 0x0441), (0x1C84, 0x0442), (0x1C85, 0x0442),
        (0x1C86, 0x044A), (0x1C87, 0x0463), (0x1C88, 0xA64B), (0x01C5, 0x01C4), (0x01C5, 0x01C6), (0x01C8, 0x01C7),
        (0x01C8, 0x01C9), (0x01CB, 0x01CA), (0x01CB, 0x01CC), (0x01F2, 0x01F1), (0x01F2, 0x01F3),
    ];

    // Case-folding orbits: code points connected by .NET's invariant upper/lower mappings plus Go's extra orbit
    // edges. U+0130 and U+0131 fold to nothing in Go (their caseOrbit entries map to themselves).
    private static (int[] Keys, Dictionary<int, int[]> Orbits) BuildFoldOrbits()
    {
        var parent = new Dictionary<int, int>();
        int Find(int x)
        {
            while (parent.TryGetValue(x, out var p) && p != x)
            {
                x = p;
            }

            return x;
        }

        void Union(int a, int b)
        {
            parent.TryAdd(a, a);
            parent.TryAdd(b, b);
            var ra = Find(a);
            var rb = Find(b);
            if (ra != rb)
            {
                parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
            }
        }

        for (var cp = 0; cp <= MaxRune; cp++)
        {
            if (cp is (>= 0xD800 and <= 0xDFFF) or 0x130 or 0x131)
            {
                continue;
            }

            var rune = new Rune(cp);
            var upper = Rune.ToUpperInvariant(rune).Value;
            var lower = Rune.ToLowerInvariant(rune).Value;
            if (upper != cp && upper is not (0x130 or 0x131))
            {
                Union(cp, upper);
            }

            if (lower != cp && lower is not (0x130 or 0x131))
            {
                Union(cp, lower);
            }
        }

        foreach (var (a, b) in GoFoldEdges)
        {
            Union(a, b);
        }

        var groups = new Dictionary<int, List<int>>();
        foreach (var cp in parent.Keys)
        {
            var root = Find(cp);
            if (!groups.TryGetValue(root, out var list))
            {
                list = [];
                groups[root] = list;
            }

            list.Add(cp);
        }

        var orbits = new Dictionary<int, int[]>();
        foreach (var members in groups.Values)
        {
            if (members.Count < 2)
            {
                continue;
            }

            var array = members.ToArray();
            Array.Sort(array);
            foreach (var member in array)
            {
                orbits[member] = array;
            }
        }

        var keys = orbits.Keys.ToArray();
        Array.Sort(keys);
        return (keys, orbits);
    }
}
