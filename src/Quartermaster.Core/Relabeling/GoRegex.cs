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

    private GoRegex(string source)
    {
        Source = source;
        var translation = GoRegexTranslator.Translate("^(?s:" + source + ")$");
        Pattern = translation.Pattern;
        GroupNames = translation.GroupNames;
        _kind = source switch
        {
            "(.*)" => MatchKind.WholeAsGroupOne,
            ".*" => MatchKind.Everything,
            _ when IsPlainLiteral(source) => MatchKind.Literal,
            _ => MatchKind.General,
        };

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

    private GoMatch? MatchAt(string input, int start)
    {
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

    private static bool IsPlainLiteral(string source)
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
}
