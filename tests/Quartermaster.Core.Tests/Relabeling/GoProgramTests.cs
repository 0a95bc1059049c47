using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Relabeling;

/// <summary>
/// Go's backtracker (<see cref="GoProgram"/>) against the .NET translation on generated patterns that repeat no
/// capturing group able to match empty, where the .NET translation's captures are Go's (checked against promtool
/// elsewhere): both must agree on every match and every capture.
/// </summary>
public sealed class GoProgramTests
{
    private static readonly string[] Letters = ["a", "b", "é", "A", "\U0001F600"];
    private static readonly string[] Atoms = ["a", "b", "é", "\U0001F600", "[ab]", "[^a]", ".", "(?i:a)", "\\w", "[[:alpha:]]", "\\pL"];
    private static readonly string[] Assertions = ["^", "$", "\\b", "\\B", "\\A", "\\z", "(?m:^)", "(?m:$)"];

    private static readonly string[] Quantifiers =
        ["", "", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,2}", "{0,2}?", "{2,}", "{0,1}", "{1,3}?"];

    private static readonly string[] Inputs = BuildInputs();

    [Fact]
    public void TryMatch_PatternsWithoutNullableCapturingLoops_SameCapturesAsDotNet()
    {
        var compared = 0;
        Gen.Int.Sample(seed =>
        {
            var pattern = BuildPattern(new Random(seed), depth: 0);
            GoRegexTranslation translation;
            try
            {
                translation = GoRegexTranslator.Translate("^(?s:" + pattern + ")$");
            }
            catch (GoRegexException)
            {
                return true;
            }

            if (translation.Program is not null)
            {
                return true;
            }

            Interlocked.Increment(ref compared);
            var program = GoProgram.Create(translation.Root, translation.GroupNames.Length);
            // The .NET backtracking reference can take exponential time on nested repetitions; such patterns are skipped.
            var dotnet = new Regex(translation.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            var caps = new int[program.CaptureSlots];
            foreach (var input in Inputs)
            {
                Match expected;
                try
                {
                    expected = dotnet.Match(input);
                }
                catch (RegexMatchTimeoutException)
                {
                    return true;
                }

                var matched = program.TryMatch(input, 0, caps);
                if (matched != expected.Success)
                {
                    throw new InvalidOperationException($"pattern {pattern} input '{input}': VM {matched}, .NET {expected.Success}");
                }

                for (var g = 0; matched && g < translation.GroupNames.Length; g++)
                {
                    var group = expected.Groups[g];
                    var want = group.Success ? (group.Index, group.Index + group.Length) : (-1, -1);
                    if (want != (caps[2 * g], caps[(2 * g) + 1]))
                    {
                        throw new InvalidOperationException(
                            $"pattern {pattern} input '{input}' group {g}: VM ({caps[2 * g]}, {caps[(2 * g) + 1]}), .NET {want}");
                    }
                }
            }

            return true;
        }, iter: 1500, seed: "2dK4n1b0Yq1C");
        Assert.True(compared > 500, $"only {compared} generated patterns were compared");
    }

    [Theory]
    [InlineData("(a)|b", "xb", 1, true, 1, 2)]
    [InlineData("^a", "xa", 1, false, 0, 0)]
    [InlineData("\\ba", "xa", 1, false, 0, 0)]
    [InlineData("\\Ba", "xa", 1, true, 1, 2)]
    [InlineData("a*", "\U0001F600", 0, true, 0, 0)]
    [InlineData("b", "\U0001F600b", 0, true, 2, 3)]
    public void TryMatch_FromPosition_UsesTextBeforeAsContext(string pattern, string input, int start, bool found, int from, int to)
    {
        var translation = GoRegexTranslator.Translate(pattern);
        var program = GoProgram.Create(translation.Root, translation.GroupNames.Length);
        var caps = new int[program.CaptureSlots];

        Assert.Equal(found, program.TryMatch(input, start, caps));
        if (found)
        {
            Assert.Equal((from, to), (caps[0], caps[1]));
        }
    }

    // .NET's backtracker reports these anchored matches at (1, 1); Go's whole match is the input.
    [Theory]
    [InlineData("\\pL(?:a?)+?😀?", "a")]
    [InlineData("\\w{2}(?:é*)+?|(😀{1,2})+?", "aa")]
    public void Match_LazyNullableLoop_WholeMatchIsInput(string pattern, string input)
    {
        var match = GoRegex.Get(pattern).Match(input);

        Assert.NotNull(match);
        Assert.Equal((0, input.Length), match.Span);
        Assert.Equal(input, GoExpand.Expand("${0}", match));
    }

    [Fact]
    public void CanMatch_VisitedSetBeyondLimit_False()
    {
        var program = GoRegexTranslator.Translate("((a*?)+)b").Program!;

        Assert.True(program.CanMatch(1000));
        Assert.False(program.CanMatch(int.MaxValue - 1));
    }

    [Fact]
    public void Match_LongInput_GoCapturesWithoutTimeout()
    {
        var input = new string('a', 20_000) + "b";

        var match = GoRegex.Get("((a*?)+)b").Match(input);

        Assert.NotNull(match);
        Assert.Equal(20_000, match.Group(2, out _).Length);
    }

    private static string BuildPattern(Random rnd, int depth)
    {
        var sb = new StringBuilder();
        var alternatives = rnd.Next(4) == 0 ? 2 : 1;
        for (var alt = 0; alt < alternatives; alt++)
        {
            if (alt > 0)
            {
                sb.Append('|');
            }

            var length = rnd.Next(4);
            for (var i = 0; i < length; i++)
            {
                var kind = rnd.Next(10);
                if (kind < 3 && depth < 3)
                {
                    sb.Append(rnd.Next(3) == 0 ? "(?:" : "(").Append(BuildPattern(rnd, depth + 1)).Append(')');
                }
                else if (kind == 3)
                {
                    sb.Append(Assertions[rnd.Next(Assertions.Length)]);
                    continue;
                }
                else
                {
                    sb.Append(Atoms[rnd.Next(Atoms.Length)]);
                }

                sb.Append(Quantifiers[rnd.Next(Quantifiers.Length)]);
            }
        }

        return sb.ToString();
    }

    private static string[] BuildInputs()
    {
        var inputs = new List<string> { "" };
        var frontier = new List<string> { "" };
        for (var length = 1; length <= 3; length++)
        {
            frontier = [.. frontier.SelectMany(prefix => Letters.Select(letter => prefix + letter))];
            inputs.AddRange(frontier);
        }

        inputs.AddRange(["a\nb", "\na", "ab\n", "aab", "abab", "aaaa", "bbbb"]);
        return [.. inputs];
    }
}
