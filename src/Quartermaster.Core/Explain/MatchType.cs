namespace Quartermaster.Core.Explain;

/// <summary>A label matcher's operator, as in PromQL: <c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>.</summary>
public enum MatchType
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}
