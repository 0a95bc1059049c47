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

        var result = regex.ReplaceAllIfMatch(input, "[$1|$2|$3]") ?? "(nomatch)";

        Assert.Equal(expected, result);
        Assert.Equal(expected != "(nomatch)", regex.IsMatch(input));
        Assert.Equal(expected != "(nomatch)", regex.IsMatch(input.AsSpan()));
    }

    [Fact]
    public void Cases_CoverEnoughPatterns()
    {
        Assert.True(Cases().Count >= 30);
    }
}
