using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Relabeling;

/// <summary>
/// Capture values of repeated groups that can match empty (nested nullable loops, lazy and greedy mixes, empty
/// alternatives, counted repeats, case folding, non-ASCII input), against promtool's answers recorded in
/// TestData/go-captures.
/// </summary>
public sealed class GoCaptureOracleTests
{
    private static readonly string DataFile = Path.Combine(AppContext.BaseDirectory, "TestData", "go-captures", "nullable-loops.tsv");

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var line in File.ReadLines(DataFile))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var columns = line.Split('\t');
            data.Add(columns[0], columns[1], columns[2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Replace_NullableCapturingLoops_AsPromtool(string pattern, string input, string expected)
    {
        var regex = GoRegex.Get(pattern);

        // The replace action: the first match, expanded (FindStringSubmatchIndex + Expand).
        var match = regex.Match(input);
        var result = match is null ? "(nomatch)" : GoExpand.Expand("[$1|$2|$3]", match);

        Assert.Equal(expected, result);
        Assert.Equal(expected != "(nomatch)", regex.IsMatch(input));
        Assert.Equal(expected != "(nomatch)", regex.IsMatch(input.AsSpan()));
    }

    // Inputs of 20001 characters, past the size where Go leaves its backtracker for the NFA (which must agree);
    // promtool's group lengths, -1 for a group that did not participate.
    [Theory]
    [InlineData("((a*?)+)b", "a", "b", 20000, 20000, -1)]
    [InlineData("((a|)+)b", "a", "b", 20000, 1, -1)]
    [InlineData("(((a)*?)*)b", "a", "b", 20000, 20000, 1)]
    [InlineData("((a??)*)b", "a", "b", 20000, 1, -1)]
    [InlineData("((a|b)*?)*c", "ab", "c", 20000, 1, -1)]
    [InlineData("(a*?){2,4}b", "a", "b", 20000, -1, -1)]
    [InlineData("((a)|b?)*c", "ab", "c", 1, 1, -1)]
    public void Match_LongInputs_GroupLengthsAsPromtool(string pattern, string unit, string suffix, int one, int two, int three)
    {
        var input = string.Concat(Enumerable.Repeat(unit, 20000 / unit.Length)) + suffix;

        var match = GoRegex.Get(pattern).Match(input);

        Assert.NotNull(match);
        Assert.Equal((0, input.Length), match.Span);
        int[] lengths = [one, two, three];
        for (var g = 1; g <= 3; g++)
        {
            var text = match.Group(g, out var participated);
            Assert.Equal(lengths[g - 1], participated ? text.Length : -1);
        }
    }

    [Fact]
    public void Cases_CoverEnoughPatterns()
    {
        Assert.True(Cases().Count >= 30);
    }
}
