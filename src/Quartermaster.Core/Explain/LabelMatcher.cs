using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Explain;

/// <summary>One <c>name op "value"</c> of an explain query; regexes are anchored RE2, as in PromQL.</summary>
public sealed class LabelMatcher
{
    private readonly GoRegex? _regex;

    /// <exception cref="GoRegexException">A regex matcher's value does not compile.</exception>
    public LabelMatcher(string name, MatchType type, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Type = type;
        Value = value;
        if (type is MatchType.Regex or MatchType.NotRegex)
        {
            _regex = GoRegex.Get(value);
        }
    }

    public string Name { get; }

    public MatchType Type { get; }

    public string Value { get; }

    /// <summary>Whether <paramref name="value"/> (<c>""</c> for an absent label) satisfies the matcher.</summary>
    public bool Matches(string value) => Type switch
    {
        MatchType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.Regex => _regex!.IsMatch(value),
        _ => !_regex!.IsMatch(value),
    };

    public override string ToString()
    {
        var op = Type switch
        {
            MatchType.Equal => "=",
            MatchType.NotEqual => "!=",
            MatchType.Regex => "=~",
            _ => "!~",
        };
        return Name + op + GoText.Quote(Value);
    }
}
