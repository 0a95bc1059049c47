using System.Text.RegularExpressions;
using CsCheck;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Relabeling;

public sealed class GoRegexSimpleFormTests
{
    private static readonly string[] Affixes = ["", "a", "Node;", ";", "ab", "-x"];

    private static readonly string[] Cores =
        ["", "(.*)", "(.+)", ".*", ".+", "(a|ab)", "(x)", "(a|)", "a|b", "|", "()", "(Failed|Succeeded)", "[a]", "(a*)"];

    private static readonly string[] Units = ["a", "b", ";", "x", "Node;", "\U0001F600", "\uD800", "ab", "Failed"];

    private static Gen<string> Pick(string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Gen<string> Patterns =>
        Gen.Select(Pick(Affixes), Pick(Cores), Pick(Affixes), static (p, c, s) => p + c + s)
            .Where(static p => p is not "(.*)" and not ".*");

    private static Gen<string> Inputs => Pick(Units).Array[0, 5].Select(static u => string.Concat(u));

    // The regex-free matcher must agree with the translated pattern on the backtracking engine (Go's leftmost-first
    // submatches) on whether it matches and on group 1.
    [Fact]
    public void TryMatchSimple_AnyPatternAndInput_AgreesWithTranslatedRegex()
    {
        Gen.Select(Patterns, Inputs).Sample((pattern, input) =>
        {
            var regex = GoRegex.Get(pattern);
            var reference = new Regex(regex.Pattern, RegexOptions.CultureInvariant).Match(input);
            if (regex.IsMatch(input.AsSpan()) != reference.Success || regex.IsMatch(input) != reference.Success)
            {
                return false;
            }

            var result = regex.TryMatchSimple(input, out var group);
            if (result < 0)
            {
                return true;
            }

            var expected = reference.Success && reference.Groups.Count > 1 ? reference.Groups[1].Value : "";
            return result == (reference.Success ? 1 : 0) && input[group] == expected;
        }, iter: 5000, seed: "0N0XIzNsQ0O2");
    }

    [Theory]
    [InlineData("Node;(.*)")]
    [InlineData("(.+);")]
    [InlineData("(Failed|Succeeded)")]
    [InlineData("prom|other")]
    [InlineData("__meta_kubernetes_pod_label_(.+)")]
    [InlineData("a.+b")]
    public void TryMatchSimple_OperatorPatterns_HaveSimpleForm(string pattern) =>
        Assert.True(GoRegex.Get(pattern).TryMatchSimple("x", out _) >= 0);

    [Theory]
    [InlineData("a(b)(c)")]
    [InlineData("(?i)abc")]
    [InlineData("a\\.b")]
    [InlineData("(a)|(b)")]
    [InlineData("(a|b)+")]
    public void TryMatchSimple_OtherPatterns_UseTheRegex(string pattern) =>
        Assert.Equal(-1, GoRegex.Get(pattern).TryMatchSimple("x", out _));

    // `$1` takes the regex-free path; `${1}${none}` expands to the same text through the general one.
    [Fact]
    public void Process_GroupOneTemplate_SameAsGeneralExpansion()
    {
        var gen = Gen.Select(Patterns, Inputs, Inputs, Gen.Bool);
        gen.Sample((pattern, a, b, twoSources) =>
        {
            string[] sources = twoSources ? ["a", "b"] : ["a"];
            var labels = TestLabels.Of("a", a, "b", b, "t", b);
            var fast = Run(new RelabelConfig { SourceLabels = sources, Regex = pattern, TargetLabel = "t", Replacement = "$1" });
            var general = Run(new RelabelConfig { SourceLabels = sources, Regex = pattern, TargetLabel = "t", Replacement = "${1}${none}" });
            return TestLabels.Format(fast) == TestLabels.Format(general);

            Label[] Run(RelabelConfig rule)
            {
                var builder = new LabelsBuilder(labels);
                Relabeler.Compile([rule]).Process(builder);
                return builder.Labels();
            }
        }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Process_LabelMapGroupOne_SameAsGeneralExpansion()
    {
        Gen.Select(Patterns, Inputs).Sample((pattern, name) =>
        {
            var labels = TestLabels.Of("a" + name, "v1", name.Length == 0 ? "z" : name, "v2");
            var fast = Run("$1");
            var general = Run("${1}${none}");
            return TestLabels.Format(fast) == TestLabels.Format(general);

            Label[] Run(string replacement)
            {
                var builder = new LabelsBuilder(labels);
                Relabeler.Compile([new RelabelConfig { Regex = pattern, Action = RelabelAction.LabelMap, Replacement = replacement }])
                    .Process(builder);
                return builder.Labels();
            }
        }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }
}
