using System.Text;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Explain;

/// <summary>
/// What to explain: label matchers over a target's discovered labels (before relabeling), optionally limited to one
/// job. An address is the matcher <c>__address__="…"</c>; a <c>job</c> matcher compares with the job name when the
/// target has no <c>job</c> label of its own, as the seeded <c>job</c> label would.
/// </summary>
public sealed class ExplainQuery
{
    /// <summary>The accepted forms, for error messages.</summary>
    public const string ExpectedForm =
        "expected target=<host:port> (for example 10.0.0.1:8080) or a label matcher set such as "
        + "{__address__=\"10.0.0.1:8080\",job=\"node\"}, and optionally job=<job name>";

    private const string AddressLabel = "__address__";

    public ExplainQuery(IReadOnlyList<LabelMatcher> matchers, string? job = null)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        Matchers = matchers;
        Job = string.IsNullOrEmpty(job) ? null : job;
    }

    /// <summary>Only this job, or every job when null.</summary>
    public string? Job { get; }

    public IReadOnlyList<LabelMatcher> Matchers { get; }

    /// <summary>The address looked for, when the query has an <c>__address__="…"</c> matcher.</summary>
    public string? Address => Matchers.FirstOrDefault(m => m.Name == AddressLabel && m.Type == MatchType.Equal)?.Value;

    /// <summary>An address query.</summary>
    public static ExplainQuery ForAddress(string address, string? job = null) =>
        new([new LabelMatcher(AddressLabel, MatchType.Equal, address)], job);

    /// <summary>
    /// Parses <paramref name="target"/>: an address (<c>host:port</c>, <c>host</c>, <c>[::1]:9100</c>) or a matcher set
    /// <c>{name="value", name!="v", name=~"re", name!~"re"}</c>. On failure <paramref name="error"/> says what is wrong
    /// and which forms are accepted.
    /// </summary>
    public static bool TryParse(string? target, string? job, out ExplainQuery query, out string error)
    {
        query = null!;
        error = "";
        var text = target?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "missing target: " + ExpectedForm;
            return false;
        }

        if (job is not null && job.Length == 0)
        {
            error = "empty job: " + ExpectedForm;
            return false;
        }

        if (text[0] != '{')
        {
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '{' or '}' or '=' or ',' or '/' or '?' or '#')
                {
                    error = $"invalid target {GoText.Quote(text)}: an address holds no '{c}'; " + ExpectedForm;
                    return false;
                }
            }

            query = ForAddress(text, job);
            return true;
        }

        if (!TryParseMatchers(text, out var matchers, out var reason))
        {
            error = $"invalid label matcher set {GoText.Quote(text)}: {reason}; " + ExpectedForm;
            return false;
        }

        query = new ExplainQuery(matchers, job);
        return true;
    }

    /// <summary>Whether a target of <paramref name="jobName"/> with <paramref name="discovered"/> labels matches.</summary>
    public bool Matches(ReadOnlySpan<Label> discovered, string jobName)
    {
        if (Job is not null && !string.Equals(Job, jobName, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var m in Matchers)
        {
            var i = LabelSets.IndexOf(discovered, m.Name);
            var value = i >= 0 ? discovered[i].Value : m.Name == "job" ? jobName : "";
            if (!m.Matches(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What was looked for, for people: <c>10.0.0.1:80</c> or <c>{…}</c>, with the job when given.</summary>
    public override string ToString()
    {
        var what = Matchers.Count == 1 && Address is { } address ? address : "{" + string.Join(", ", Matchers) + "}";
        return Job is null ? what : $"{what} in job {Job}";
    }

    private static bool TryParseMatchers(string text, out List<LabelMatcher> matchers, out string reason)
    {
        matchers = [];
        reason = "";
        var i = 1;
        while (true)
        {
            SkipSpace(text, ref i);
            if (i < text.Length && text[i] == '}')
            {
                i++;
                break;
            }

            if (matchers.Count > 0)
            {
                if (i >= text.Length || text[i] != ',')
                {
                    reason = $"expected ',' or '}}' at offset {i}";
                    return false;
                }

                i++;
                SkipSpace(text, ref i);
                if (i < text.Length && text[i] == '}')
                {
                    i++;
                    break;
                }
            }

            var start = i;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }

            var name = text[start..i];
            if (name.Length == 0 || !LabelNames.IsValid(name, legacy: true))
            {
                reason = $"expected a label name at offset {start}";
                return false;
            }

            SkipSpace(text, ref i);
            MatchType type;
            if (At(text, i, "=~"))
            {
                type = MatchType.Regex;
                i += 2;
            }
            else if (At(text, i, "!~"))
            {
                type = MatchType.NotRegex;
                i += 2;
            }
            else if (At(text, i, "!="))
            {
                type = MatchType.NotEqual;
                i += 2;
            }
            else if (At(text, i, "="))
            {
                type = MatchType.Equal;
                i += 1;
            }
            else
            {
                reason = $"expected =, !=, =~ or !~ after {name}";
                return false;
            }

            SkipSpace(text, ref i);
            if (!TryReadQuoted(text, ref i, out var value))
            {
                reason = $"expected a double-quoted value for {name}";
                return false;
            }

            try
            {
                matchers.Add(new LabelMatcher(name, type, value));
            }
            catch (GoRegexException ex)
            {
                reason = $"invalid regex for {name}: {ex.Message}";
                return false;
            }
        }

        SkipSpace(text, ref i);
        if (i != text.Length)
        {
            reason = $"unexpected text after '}}' at offset {i}";
            return false;
        }

        if (matchers.Count == 0)
        {
            reason = "at least one matcher is needed";
            return false;
        }

        return true;
    }

    private static bool At(string text, int i, string token) =>
        i + token.Length <= text.Length && string.CompareOrdinal(text, i, token, 0, token.Length) == 0;

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }

    private static bool TryReadQuoted(string text, ref int i, out string value)
    {
        value = "";
        if (i >= text.Length || text[i] != '"')
        {
            return false;
        }

        var sb = new StringBuilder();
        for (i++; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                i++;
                value = sb.ToString();
                return true;
            }

            if (c == '\\')
            {
                if (++i >= text.Length)
                {
                    return false;
                }

                c = text[i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    var other => other,
                };
            }

            sb.Append(c);
        }

        return false;
    }
}
