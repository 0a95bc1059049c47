using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Relabeling;

/// <summary>
/// Capture values of groups inside repetitions, against Go's answers (promtool check service-discovery with a replace
/// rule whose replacement is <c>[$1|$2]</c>, the pattern anchored by Prometheus).
/// </summary>
public sealed class GoCaptureTests
{
    [Theory]
    [InlineData("(([A-Z]*?)+?)é", "é", "[|]")]
    [InlineData("(([A-Z]*?)+?)é", "Aé", "[A|A]")]
    [InlineData("(([A-Z]*)+?)é", "ABé", "[AB|AB]")]
    [InlineData("((a|)+)b", "aab", "[aa|a]")]
    [InlineData("((a|)+)b", "b", "[|]")]
    [InlineData("((a|)+)b", "aaab", "[aaa|a]")]
    [InlineData("((a*)+)b", "aab", "[aa|aa]")]
    [InlineData("((a*)+)b", "b", "[|]")]
    [InlineData("((a|b)*?)c", "abc", "[ab|b]")]
    [InlineData("((a|b)*?)c", "c", "[|]")]
    [InlineData("(a*)*b", "aab", "[aa|]")]
    [InlineData("(a*)*b", "b", "[|]")]
    [InlineData("(a*)+?b", "aab", "[aa|]")]
    [InlineData("((a*?)*)b", "ab", "[a|a]")]
    [InlineData("(|a)+b", "aab", "[a|]")]
    [InlineData("(|a)+b", "b", "[|]")]
    [InlineData("(a|)+?b", "aab", "[a|]")]
    [InlineData("(a|)+?b", "ab", "[a|]")]
    [InlineData("(([A-Z]*?)+)é", "ABé", "[AB|AB]")]
    [InlineData("((a*?)*)b", "aab", "[aa|aa]")]
    public void Replace_CapturesInRepetitions_AsGo(string pattern, string input, string expected)
    {
        var result = GoRegex.Get(pattern).ReplaceAllIfMatch(input, "[$1|$2]");
        Assert.Equal(expected, result);
    }
}
