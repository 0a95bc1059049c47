using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>
/// A parsed <c>labelSelector</c> query parameter with the API server's syntax: comma-separated requirements
/// <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>, <c>k&gt;n</c>, <c>k&lt;n</c>.
/// </summary>
public sealed partial class LabelSelector
{
    private readonly Requirement[] _requirements;

    private LabelSelector(Requirement[] requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEverything => _requirements.Length == 0;

    public static bool TryParse(string? text, [NotNullWhen(true)] out LabelSelector? selector, [NotNullWhen(false)] out string? error)
    {
        selector = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            selector = Everything;
            return true;
        }

        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var match = RequirementPattern().Match(part);
            if (!match.Success)
            {
                error = $"unable to parse requirement: {part.Trim()}";
                return false;
            }

            var key = match.Groups["key"].Value;
            if (match.Groups["not"].Success)
            {
                if (match.Groups["op"].Success || match.Groups["setop"].Success)
                {
                    error = $"unable to parse requirement: {part.Trim()}";
                    return false;
                }

                requirements.Add(new Requirement(key, Operator.DoesNotExist, []));
            }
            else if (match.Groups["op"].Success)
            {
                var value = match.Groups["val"].Value;
                var op = match.Groups["op"].Value switch
                {
                    "!=" => Operator.NotEquals,
                    ">" => Operator.GreaterThan,
                    "<" => Operator.LessThan,
                    _ => Operator.Equals,
                };
                if (op is Operator.GreaterThan or Operator.LessThan && !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    error = $"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: {value}";
                    return false;
                }

                requirements.Add(new Requirement(key, op, [value]));
            }
            else if (match.Groups["setop"].Success)
            {
                var values = match.Groups["vals"].Value.Split(',').Select(v => v.Trim()).ToArray();
                if (values.Any(v => !ValuePattern().IsMatch(v)))
                {
                    error = $"unable to parse requirement: invalid value in {part.Trim()}";
                    return false;
                }

                requirements.Add(new Requirement(key, match.Groups["setop"].Value == "in" ? Operator.In : Operator.NotIn, values));
            }
            else
            {
                requirements.Add(new Requirement(key, Operator.Exists, []));
            }
        }

        selector = new LabelSelector([.. requirements]);
        return true;
    }

    public static LabelSelector Parse(string? text) =>
        TryParse(text, out var selector, out var error) ? selector : throw new FormatException(error);

    /// <summary>Whether an object's <c>metadata.labels</c> satisfy every requirement.</summary>
    public bool Matches(JsonObject? labels)
    {
        foreach (var requirement in _requirements)
        {
            var present = labels is not null && labels.TryGetPropertyValue(requirement.Key, out var node) && node is not null;
            var value = present ? labels![requirement.Key]!.GetValue<string>() : null;
            var ok = requirement.Op switch
            {
                Operator.Exists => present,
                Operator.DoesNotExist => !present,
                Operator.Equals => present && value == requirement.Values[0],
                Operator.NotEquals => !present || value != requirement.Values[0],
                Operator.In => present && requirement.Values.Contains(value),
                Operator.NotIn => !present || !requirement.Values.Contains(value),
                Operator.GreaterThan => present && CompareInteger(value!, requirement.Values[0]) > 0,
                Operator.LessThan => present && CompareInteger(value!, requirement.Values[0]) < 0,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static int? CompareInteger(string value, string bound) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v.CompareTo(long.Parse(bound, CultureInfo.InvariantCulture))
            : null;

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    [GeneratedRegex(@"^\s*(?<not>!)?\s*(?<key>[A-Za-z0-9][A-Za-z0-9._/-]*)\s*(?:(?<op>==|!=|=|>|<)\s*(?<val>[A-Za-z0-9._-]*)|\s(?<setop>in|notin)\s*\((?<vals>[^()]*)\))?\s*$",
        RegexOptions.CultureInvariant)]
    private static partial Regex RequirementPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ValuePattern();

    private enum Operator
    {
        Exists,
        DoesNotExist,
        Equals,
        NotEquals,
        In,
        NotIn,
        GreaterThan,
        LessThan,
    }

    private sealed record Requirement(string Key, Operator Op, string[] Values);
}
