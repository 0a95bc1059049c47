using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Relabeling;

/// <summary>A set of Unicode code points as sorted, non-overlapping inclusive ranges; used to translate RE2 classes.</summary>
internal sealed class CodePointSet
{
    public const int MaxRune = 0x10FFFF;

    private static readonly Lazy<(int[] Keys, IReadOnlyDictionary<int, int[]> Orbits)> FoldOrbits = new(BuildFoldOrbits);

    private readonly List<(int Lo, int Hi)> _ranges = [];
    // Shared sets (the Perl and Unicode classes) are read by concurrent translations; the first read normalizes them
    // under a lock, and no read sees the list while it is being sorted.
    private volatile bool _normalized = true;

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

        lock (_ranges)
        {
            if (!_normalized)
            {
                Merge();
                _normalized = true;
            }
        }
    }

    private void Merge()
    {
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
    }

    private static (int[] Keys, IReadOnlyDictionary<int, int[]> Orbits) BuildFoldOrbits()
    {
        var orbits = GoUnicodeTables.Orbits;
        var keys = orbits.Keys.ToArray();
        Array.Sort(keys);
        return (keys, orbits);
    }
}
