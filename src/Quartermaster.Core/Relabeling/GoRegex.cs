using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Quartermaster.Core.Relabeling;

/// <summary>
/// A Prometheus relabel regex: Go RE2 syntax, compiled as <c>^(?s:&lt;source&gt;)$</c> (prometheus.md §1.5) and
/// translated to .NET once. Instances are cached by source string and are thread-safe.
/// </summary>
/// <remarks>
/// Patterns run on <see cref="RegexOptions.NonBacktracking"/> (linear time, like Go), which gives the same
/// leftmost-first submatches for these anchored patterns. Go's ASCII <c>\b</c>/<c>\B</c> needs lookarounds, which
/// NonBacktracking refuses; such patterns (and any the engine rejects as too large) fall back to the backtracking
/// engine with a match timeout, and a timed-out match counts as "no match". So do very large translated patterns
/// (Unicode category classes), which NonBacktracking is slow to construct.
/// </remarks>
public sealed class GoRegex
{
    private const int MaxCacheEntries = 4096;

    private static readonly ConcurrentDictionary<string, GoRegex> Cache = new(StringComparer.Ordinal);
    private static readonly TimeSpan BacktrackingTimeout = TimeSpan.FromSeconds(1);

    // Very large translated classes (\pL and friends expand to thousands of ranges) take seconds to build on the
    // NonBacktracking engine; such patterns use the backtracking engine with a match timeout instead.
    private const int NonBacktrackingPatternLimit = 4000;

    private static readonly TimeSpan CaptureTimeout = TimeSpan.FromMilliseconds(200);

    private readonly Regex _regex;

    // NonBacktracking finds the same matches but not always Go's leftmost-first submatches: `(a||b)(b?c)` on "bc"
    // gives $1="b" instead of "". Submatches therefore come from the backtracking engine under a short timeout;
    // after one timeout the pattern is treated as hostile and keeps to the linear-time engine.
    private readonly Regex? _captureRegex;
    private volatile bool _captureTimedOut;
    private readonly MatchKind _kind;
    private readonly SimpleForm? _simple;

    // Go's program, when the pattern repeats a capturing group that can match empty: .NET's loops then report other
    // captures than Go's (whose machine never revisits a state), so such patterns match on Go's algorithm instead.
    private readonly GoProgram? _program;

    private GoRegex(string source)
    {
        Source = source;
        var translation = GoRegexTranslator.Translate("^(?s:" + source + ")$");
        Pattern = translation.Pattern;
        GroupNames = translation.GroupNames;
        _program = translation.Program;
        _kind = source switch
        {
            "(.*)" => MatchKind.WholeAsGroupOne,
            ".*" => MatchKind.Everything,
            _ when IsPlainLiteral(source) => MatchKind.Literal,
            _ => MatchKind.General,
        };
        if (_kind == MatchKind.General)
        {
            _simple = SimpleForm.TryParse(source);
        }

        const RegexOptions Common = RegexOptions.CultureInvariant;
        if (translation.NeedsBacktracking || Pattern.Length > NonBacktrackingPatternLimit)
        {
            _regex = new Regex(Pattern, Common, BacktrackingTimeout);
            UsesNonBacktracking = false;
        }
        else
        {
            try
            {
                _regex = new Regex(Pattern, Common | RegexOptions.NonBacktracking);
                _captureRegex = new Regex(Pattern, Common, CaptureTimeout);
                UsesNonBacktracking = true;
            }
            catch (NotSupportedException)
            {
                _regex = new Regex(Pattern, Common, BacktrackingTimeout);
                UsesNonBacktracking = false;
            }
        }
    }

    private enum MatchKind
    {
        General,
        Literal,
        Everything,
        WholeAsGroupOne,
    }

    /// <summary>The regex as written (unanchored).</summary>
    public string Source { get; }

    /// <summary>The translated .NET pattern, anchored.</summary>
    public string Pattern { get; }

    /// <summary>Go's group names by group number; <c>""</c> for unnamed groups and for group 0.</summary>
    public IReadOnlyList<string> GroupNames { get; }

    public bool UsesNonBacktracking { get; }

    /// <summary>Whether matches run on <see cref="GoProgram"/> (Go's backtracker) rather than a .NET regex.</summary>
    internal bool UsesGoProgram => _program is not null;

    /// <summary>Whether the pattern is a plain literal: it matches exactly the input equal to <see cref="Source"/>.</summary>
    public bool IsLiteral => _kind == MatchKind.Literal;

    /// <summary>Compiles (or returns the cached) anchored regex for <paramref name="source"/>.</summary>
    /// <exception cref="GoRegexException">Go's <c>regexp</c> rejects the expression.</exception>
    public static GoRegex Get(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Cache.TryGetValue(source, out var cached))
        {
            return cached;
        }

        var created = new GoRegex(source);

        // Reloads can bring new regexes forever; a full reset keeps the cache bounded (entries are rebuilt on demand).
        if (Cache.Count >= MaxCacheEntries)
        {
            Cache.Clear();
        }

        return Cache.GetOrAdd(source, created);
    }

    /// <summary>Go <c>MatchString</c> on the anchored regex: whether the whole input matches.</summary>
    public bool IsMatch(string input)
    {
        switch (_kind)
        {
            case MatchKind.Everything or MatchKind.WholeAsGroupOne:
                return true;
            case MatchKind.Literal:
                return string.Equals(input, Source, StringComparison.Ordinal);
            default:
                if (_program is not null && _program.CanMatch(input.Length))
                {
                    return ProgramMatch(input);
                }

                try
                {
                    return _regex.IsMatch(input);
                }
                catch (RegexMatchTimeoutException)
                {
                    return false;
                }
        }
    }

    /// <summary>As <see cref="IsMatch(string)"/>, over a span (no string needed).</summary>
    public bool IsMatch(ReadOnlySpan<char> input)
    {
        switch (_kind)
        {
            case MatchKind.Everything or MatchKind.WholeAsGroupOne:
                return true;
            case MatchKind.Literal:
                return input.SequenceEqual(Source);
            default:
                if (_simple is not null)
                {
                    return _simple.TryMatch(input, out _, out _);
                }

                if (_program is not null && _program.CanMatch(input.Length))
                {
                    return ProgramMatch(input);
                }

                try
                {
                    return _regex.IsMatch(input);
                }
                catch (RegexMatchTimeoutException)
                {
                    return false;
                }
        }
    }

    /// <summary>
    /// Matches without the regex engine when the pattern has a simple form (a literal, a literal prefix and suffix
    /// around <c>.*</c>, <c>.+</c> or an alternation of literals, at most one group): 1 on a match, with
    /// <paramref name="groupOne"/> the range of group 1 (empty when the pattern has no group), 0 on no match, and -1
    /// when the pattern has no simple form (use <see cref="Match"/>).
    /// </summary>
    internal int TryMatchSimple(ReadOnlySpan<char> input, out Range groupOne)
    {
        groupOne = default;
        switch (_kind)
        {
            case MatchKind.Everything:
                return 1;
            case MatchKind.WholeAsGroupOne:
                groupOne = Range.All;
                return 1;
            case MatchKind.Literal:
                return input.SequenceEqual(Source) ? 1 : 0;
        }

        if (_simple is null)
        {
            return -1;
        }

        if (!_simple.TryMatch(input, out var start, out var length))
        {
            return 0;
        }

        if (_simple.HasGroup)
        {
            groupOne = new Range(start, start + length);
        }

        return 1;
    }

    /// <summary>Go <c>FindStringSubmatchIndex</c>: the match with its groups, or null when there is none.</summary>
    public GoMatch? Match(string input)
    {
        if (_kind == MatchKind.WholeAsGroupOne)
        {
            return GoMatch.WholeInput(input);
        }

        return MatchAt(input, 0);
    }

    /// <summary>
    /// Go <c>ReplaceAllString(input, template)</c> with <c>$</c> expansion, or null when the regex does not match
    /// (labelmap). The anchored wrapper normally yields one whole-input match; a source that escapes the wrapper
    /// (<c>a)|(b</c>) can match several parts, which are replaced as Go does.
    /// </summary>
    public string? ReplaceAllIfMatch(string input, string template)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(template);
        var first = Match(input);
        if (first is null)
        {
            return null;
        }

        var (start, end) = first.Span;
        if (start == 0 && end == input.Length)
        {
            return GoExpand.Expand(template, first);
        }

        var sb = new System.Text.StringBuilder();
        var lastMatchEnd = 0;
        var searchPos = 0;
        var current = first;
        while (current is not null)
        {
            (start, end) = current.Span;
            sb.Append(input, lastMatchEnd, start - lastMatchEnd);
            if (end > lastMatchEnd || start == 0)
            {
                GoExpand.Expand(sb, template, current);
            }

            lastMatchEnd = end;
            var width = searchPos < input.Length && char.IsSurrogatePair(input, searchPos) ? 2 : 1;
            searchPos = searchPos + width > end ? searchPos + width : end;
            if (searchPos > input.Length)
            {
                break;
            }

            current = MatchAt(input, searchPos);
        }

        sb.Append(input, lastMatchEnd, input.Length - lastMatchEnd);
        return sb.ToString();
    }

    private bool ProgramMatch(ReadOnlySpan<char> input)
    {
        var slots = _program!.CaptureSlots;
        var buffer = slots <= 64 ? stackalloc int[slots] : new int[slots];
        return _program.TryMatch(input, 0, buffer);
    }

    private GoMatch? MatchAt(string input, int start)
    {
        if (_program is not null && _program.CanMatch(input.Length))
        {
            var caps = new int[_program.CaptureSlots];
            return _program.TryMatch(input, start, caps) ? new GoMatch(input, caps, GroupNames) : null;
        }

        if (_captureRegex is not null && !_captureTimedOut)
        {
            try
            {
                var captured = _captureRegex.Match(input, start);
                return captured.Success ? new GoMatch(input, captured, GroupNames) : null;
            }
            catch (RegexMatchTimeoutException)
            {
                _captureTimedOut = true;
            }
        }

        try
        {
            var m = _regex.Match(input, start);
            return m.Success ? new GoMatch(input, m, GroupNames) : null;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static bool IsPlainLiteral(ReadOnlySpan<char> source)
    {
        foreach (var c in source)
        {
            if (c is '\\' or '.' or '+' or '*' or '?' or '(' or ')' or '|' or '[' or ']' or '{' or '}' or '^' or '$'
                || char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>P(a|b|…)S</c>, <c>P(.*)S</c>, <c>P(.+)S</c>, <c>P.*S</c>, <c>P.+S</c> or <c>a|b|…</c> with plain literals:
    /// anchored, the middle part is fixed by the prefix and suffix, so matching is a few span comparisons. A repeated
    /// <c>.</c> is translated to a code-unit loop, so a wildcard middle is any text (non-empty for <c>.+</c>).
    /// </summary>
    private sealed class SimpleForm
    {
        private readonly string _prefix;
        private readonly string _suffix;
        private readonly string[]? _alternatives;
        private readonly bool _nonEmpty;

        private SimpleForm(string prefix, string suffix, string[]? alternatives, bool nonEmpty, bool hasGroup)
        {
            _prefix = prefix;
            _suffix = suffix;
            _alternatives = alternatives;
            _nonEmpty = nonEmpty;
            HasGroup = hasGroup;
        }

        public bool HasGroup { get; }

        public static SimpleForm? TryParse(string source)
        {
            var open = source.IndexOf('(', StringComparison.Ordinal);
            if (open < 0)
            {
                if (source.Contains('|', StringComparison.Ordinal))
                {
                    var parts = source.Split('|');
                    return Array.TrueForAll(parts, static p => IsPlainLiteral(p)) ? new SimpleForm("", "", parts, false, false) : null;
                }

                var dot = source.IndexOf('.', StringComparison.Ordinal);
                if (dot < 0 || dot + 1 >= source.Length || source[(dot + 1)..] is not ['*' or '+', ..])
                {
                    return null;
                }

                var (p0, s0) = (source[..dot], source[(dot + 2)..]);
                return IsPlainLiteral(p0) && IsPlainLiteral(s0) ? new SimpleForm(p0, s0, null, source[dot + 1] == '+', false) : null;
            }

            var close = source.IndexOf(')', open + 1);
            if (close < 0)
            {
                return null;
            }

            var (prefix, inner, suffix) = (source[..open], source[(open + 1)..close], source[(close + 1)..]);
            if (!IsPlainLiteral(prefix) || !IsPlainLiteral(suffix))
            {
                return null;
            }

            if (inner is ".*" or ".+")
            {
                return new SimpleForm(prefix, suffix, null, inner == ".+", true);
            }

            var alternatives = inner.Split('|');
            return Array.TrueForAll(alternatives, static p => IsPlainLiteral(p)) ? new SimpleForm(prefix, suffix, alternatives, false, true) : null;
        }

        public bool TryMatch(ReadOnlySpan<char> input, out int start, out int length)
        {
            start = _prefix.Length;
            length = input.Length - _prefix.Length - _suffix.Length;
            if (length < 0 || !input.StartsWith(_prefix, StringComparison.Ordinal) || !input.EndsWith(_suffix, StringComparison.Ordinal))
            {
                return false;
            }

            var middle = input.Slice(start, length);
            if (_alternatives is null)
            {
                return !_nonEmpty || middle.Length > 0;
            }

            foreach (var alternative in _alternatives)
            {
                if (middle.SequenceEqual(alternative))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
