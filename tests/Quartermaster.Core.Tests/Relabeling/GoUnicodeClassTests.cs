using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Relabeling;

/// <summary>
/// <c>\p{…}</c> classes as Go 1.25's regexp resolves them (Unicode 15.0.0 tables, canonical name lookup, scripts,
/// category aliases, <c>Any</c>/<c>Assigned</c>/<c>ASCII</c>/<c>LC</c>).
/// </summary>
public sealed class GoUnicodeClassTests
{
    private static readonly string[] Inputs =
    [
        "a", "\u03B1", "\u03A9", "\u00B5", "\u0345", "\u0410", "\u05D0", "\u4E2D", "7", "\u0661", "_", " ", "\u212A",
        "\U0001E030", "\U0002EBF0", "\U00010300", "\u0378", "\U0001F600",
    ];

    // Expected sets follow Unicode 15.0.0: U+1E030 (Cyrillic Extended-D, new in 15.0) is a modifier letter; U+2EBF0 (CJK
    // Extension I, Unicode 15.1) and U+0378 are unassigned; U+00B5 MICRO SIGN is Common script and folds to Greek mu;
    // U+0345 is Inherited script and folds to Greek iota; U+10300 is Old Italic.
    [Theory]
    [InlineData("\\p{Greek}", new[] { "\u03B1", "\u03A9" })]
    [InlineData("\\p{greek}", new[] { "\u03B1", "\u03A9" })]
    [InlineData("\\p{ GREEK }", new[] { "\u03B1", "\u03A9" })]
    [InlineData("(?i)\\p{Greek}", new[] { "\u03B1", "\u03A9", "\u00B5", "\u0345" })]
    [InlineData("\\p{Cyrillic}", new[] { "\u0410", "\U0001E030" })]
    [InlineData("\\p{Han}", new[] { "\u4E2D" })]
    [InlineData("\\p{Hebrew}", new[] { "\u05D0" })]
    [InlineData("\\p{Latin}", new[] { "a", "\u212A" })]
    [InlineData("\\p{Inherited}", new[] { "\u0345" })]
    [InlineData("\\p{L}", new[] { "a", "\u03B1", "\u03A9", "\u00B5", "\u0410", "\u05D0", "\u4E2D", "\u212A", "\U0001E030", "\U00010300" })]
    [InlineData("\\p{Letter}", new[] { "a", "\u03B1", "\u03A9", "\u00B5", "\u0410", "\u05D0", "\u4E2D", "\u212A", "\U0001E030", "\U00010300" })]
    [InlineData("\\p{lowercase-letter}", new[] { "a", "\u03B1", "\u00B5" })]
    [InlineData("\\p{Lm}", new[] { "\U0001E030" })]
    [InlineData("\\p{Lu}", new[] { "\u03A9", "\u0410", "\u212A" })]
    [InlineData("\\p{lu}", new[] { "\u03A9", "\u0410", "\u212A" })]
    [InlineData("\\p{LC}", new[] { "a", "\u03B1", "\u03A9", "\u00B5", "\u0410", "\u212A" })]
    [InlineData("\\p{digit}", new[] { "7", "\u0661" })]
    [InlineData("\\pN", new[] { "7", "\u0661" })]
    [InlineData("\\p{Cn}", new[] { "\U0002EBF0", "\u0378" })]
    [InlineData("\\p{Unassigned}", new[] { "\U0002EBF0", "\u0378" })]
    [InlineData("\\P{Assigned}", new[] { "\U0002EBF0", "\u0378" })]
    [InlineData("\\p{^Assigned}", new[] { "\U0002EBF0", "\u0378" })]
    [InlineData("\\p{ASCII}", new[] { "a", "7", "_", " " })]
    [InlineData("(?i)\\p{ascii}", new[] { "a", "7", "_", " ", "\u212A" })]
    [InlineData("\\p{Any}", new[] { "a", "\u03B1", "\u03A9", "\u00B5", "\u0345", "\u0410", "\u05D0", "\u4E2D", "7", "\u0661", "_", " ", "\u212A", "\U0001E030", "\U0002EBF0", "\U00010300", "\u0378", "\U0001F600" })]
    [InlineData("[\\p{Greek}\\p{Hebrew}]", new[] { "\u03B1", "\u03A9", "\u05D0" })]
    [InlineData("[^\\P{Greek}]", new[] { "\u03B1", "\u03A9" })]
    public void IsMatch_UnicodeClass_MatchesGo125(string pattern, string[] expected)
    {
        var regex = GoRegex.Get(pattern);
        Assert.Equal(expected, Inputs.Where(regex.IsMatch).ToArray());
    }

    [Fact]
    public void NegatedScript_IsComplementOfScript()
    {
        var greek = GoRegex.Get("\\p{Greek}");
        var notGreek = GoRegex.Get("\\P{Greek}");
        var caretNotGreek = GoRegex.Get("\\p{^Greek}");
        foreach (var input in Inputs)
        {
            Assert.NotEqual(greek.IsMatch(input), notGreek.IsMatch(input));
            Assert.Equal(notGreek.IsMatch(input), caretNotGreek.IsMatch(input));
        }
    }

    [Fact]
    public void Tables_AreUnicode15()
    {
        Assert.Equal("15.0.0", GoUnicodeTables.Version);
        Assert.Contains("Kawi", GoUnicodeTables.ScriptNames);
        Assert.Contains("Nag_Mundari", GoUnicodeTables.ScriptNames);
    }

    [Theory]
    [InlineData("Old_Italic", "Olditalic")]
    [InlineData("lowercase letter", "Lowercaseletter")]
    [InlineData("GREEK", "Greek")]
    [InlineData("lu", "Lu")]
    [InlineData("L", "L")]
    public void Canonical_GoLookupForm(string name, string expected) =>
        Assert.Equal(expected, GoUnicodeTables.Canonical(name));

    [Theory]
    [InlineData("(?i)s", "\u017F", true)]
    [InlineData("(?i)k", "\u212A", true)]
    [InlineData("(?i)\u00DF", "\u1E9E", true)]
    [InlineData("(?i)\u03C3", "\u03C2", true)]
    [InlineData("(?i)i", "\u0130", false)]
    [InlineData("(?i)i", "\u0131", false)]
    [InlineData("(?i)\u0131", "I", false)]
    public void FoldCase_UsesSimpleFoldingOrbits(string pattern, string input, bool expected) =>
        Assert.Equal(expected, GoRegex.Get(pattern).IsMatch(input));
}
