using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Relabeling;

public sealed class GoExpandTests
{
    // prometheus.md §1.7: regex ^(?s:(?P<name>a)(b)(c)?(?P<x1>d))$ on "abd", results from Go regexp.Expand.
    [Theory]
    [InlineData("$1", "a")]
    [InlineData("${1}", "a")]
    [InlineData("$1x", "")]
    [InlineData("${1}x", "ax")]
    [InlineData("$2", "b")]
    [InlineData("$3", "")]
    [InlineData("$10", "")]
    [InlineData("$01", "")]
    [InlineData("$0", "abd")]
    [InlineData("${0}", "abd")]
    [InlineData("$1.5", "a.5")]
    [InlineData("$1-", "a-")]
    [InlineData("${name}_${2}", "a_b")]
    [InlineData("$$$1", "$a")]
    [InlineData("$name", "a")]
    [InlineData("${name}", "a")]
    [InlineData("$namex", "")]
    [InlineData("$x1", "d")]
    [InlineData("$$1", "$1")]
    [InlineData("$", "$")]
    [InlineData("${", "${")]
    [InlineData("${1", "${1")]
    [InlineData("${}", "${}")]
    [InlineData("$-", "$-")]
    [InlineData("a$", "a$")]
    [InlineData("$ 1", "$ 1")]
    [InlineData("$1_", "")]
    [InlineData("$\u00e9", "")]
    [InlineData("$${1}", "${1}")]
    [InlineData("no dollars", "no dollars")]
    public void Expand_GoVectors_Match(string template, string expected)
    {
        var match = GoRegex.Get("(?P<name>a)(b)(c)?(?P<x1>d)").Match("abd");
        Assert.NotNull(match);
        Assert.Equal(expected, GoExpand.Expand(template, match));
    }

    [Fact]
    public void Expand_DuplicateNames_PicksFirstParticipating()
    {
        var match = GoRegex.Get("(?P<n>x)?(?P<n>y)").Match("y");
        Assert.NotNull(match);
        Assert.Equal("y", GoExpand.Expand("$n", match));
    }

    [Fact]
    public void Expand_DefaultRegexFastMatch_ExposesWholeInputAsGroupOne()
    {
        var match = GoRegex.Get("(.*)").Match("line1\nline2");
        Assert.NotNull(match);
        Assert.Equal("[line1\nline2|line1\nline2|]", GoExpand.Expand("[$0|$1|$2]", match));
    }
}
