using CsCheck;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Relabeling;

public sealed class GoRegexTests
{
    // prometheus.md §1.6 input set; U+212A KELVIN SIGN and U+017F LONG S are the folding edge cases.
    private static readonly string[] Inputs =
    [
        "a", "a\n", "123", "\u0661\u0662\u0663", "\u00e9", "abc_\u00e9", "K", "\u212A", "\u017F", "S", "a.b", "aaa",
        "\u03A9", "\U0001F600", "", "A", "\u0001", "_", "-", "#",
    ];

    // Expected sets are Go's results (prometheus.md §1.6 table, "Go matches" column).
    [Theory]
    [InlineData("a$", new[] { "a" })]
    [InlineData("\\d+", new[] { "123" })]
    [InlineData("\\w+", new[] { "a", "123", "K", "S", "aaa", "A", "_" })]
    [InlineData("[[:alpha:]]+", new[] { "a", "K", "S", "aaa", "A" })]
    [InlineData("\\p{L}+", new[] { "a", "\u00e9", "K", "\u212A", "\u017F", "S", "aaa", "\u03A9", "A" })]
    [InlineData("\\pL+", new[] { "a", "\u00e9", "K", "\u212A", "\u017F", "S", "aaa", "\u03A9", "A" })]
    [InlineData(".", new[] { "a", "\u00e9", "K", "\u212A", "\u017F", "S", "\u03A9", "\U0001F600", "A", "\u0001", "_", "-", "#" })]
    [InlineData("(?i)k", new[] { "K", "\u212A" })]
    [InlineData("(?i)s", new[] { "\u017F", "S" })]
    [InlineData("\\s*", new[] { "" })]
    [InlineData("[^a]", new[] { "\u00e9", "K", "\u212A", "\u017F", "S", "\u03A9", "\U0001F600", "A", "\u0001", "_", "-", "#" })]
    [InlineData("(?i)[[:^lower:]]", new[] { "\u00e9", "\u03A9", "\U0001F600", "\u0001", "_", "-", "#" })]
    public void IsMatch_GoDialect_MatchesGoResults(string pattern, string[] expected)
    {
        var regex = GoRegex.Get(pattern);
        var actual = Inputs.Where(regex.IsMatch).ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("a{,3}", "a{,3}", true)]
    [InlineData("a{,3}", "aaa", false)]
    [InlineData("a{2}", "aa", true)]
    [InlineData("a{2,}", "aaaa", true)]
    [InlineData("a{2,3}", "aaaa", false)]
    [InlineData("a{01}", "a{01}", true)]
    [InlineData("\\x{41}\\x42", "AB", true)]
    [InlineData("\\x{1F600}", "\U0001F600", true)]
    [InlineData("[\\x{1F600}-\\x{1F602}]+", "\U0001F601\U0001F602", true)]
    [InlineData("\\Q.*+\\E", ".*+", true)]
    [InlineData("\\Q.*+\\E", "abc", false)]
    [InlineData("\\_", "_", true)]
    [InlineData("\\101\\0", "A\0", true)]
    [InlineData("\\a\\f\\t\\n\\r\\v", "\a\f\t\n\r\v", true)]
    [InlineData("[\\d-z]+", "1-z", true)]
    [InlineData("[]a]+", "]a", true)]
    [InlineData("[a-]+", "a-", true)]
    [InlineData("\\PL", "1", true)]
    [InlineData("\\p{^L}", "a", false)]
    [InlineData("\\P{^L}", "a", true)]
    [InlineData("\\pN+", "\u0661\u0662", true)]
    [InlineData("\\p{Any}", "\U0001F600", true)]
    [InlineData("\\s", "\v", false)]
    [InlineData("[[:space:]]", "\v", true)]
    [InlineData("(?i)straße", "STRASSE", false)]
    [InlineData("(?i:a)b", "AB", false)]
    [InlineData("(?i:a)b", "Ab", true)]
    [InlineData("(?i)a(?-i)b", "Ab", true)]
    [InlineData("(?i)a(?-i)b", "AB", false)]
    [InlineData("(?:a(?i)b|c)", "C", true)]
    [InlineData("(?-s).", "\n", false)]
    [InlineData("(?-s).*", "a\nb", false)]
    [InlineData(".*", "a\nb", true)]
    [InlineData(".{2}", "\U0001F600\U0001F601", true)]
    [InlineData(".{2}", "\U0001F600", false)]
    [InlineData(".", "\n", true)]
    [InlineData("(?m)a$\nb", "a\nb", true)]
    [InlineData("(?m)^b", "b", true)]
    [InlineData("\\Aab\\z", "ab", true)]
    [InlineData("a\\b", "a", true)]
    [InlineData("a\\bb", "ab", false)]
    [InlineData("\u00e9\\b", "\u00e9", false)]
    [InlineData("a\\Bb", "ab", true)]
    [InlineData("a)|(b", "axx", true)]
    [InlineData("a)|(b", "xxb", true)]
    [InlineData("a)|(b", "xax", false)]
    [InlineData("f|o", "foo", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("^*a", "a", true)]
    [InlineData("(a|ab)(c|bcd)(d*)", "abcd", true)]
    public void IsMatch_Constructs_MatchGo(string pattern, string input, bool expected) =>
        Assert.Equal(expected, GoRegex.Get(pattern).IsMatch(input));

    // Found by the promtool differential test: .NET mis-reduces a literal empty branch next to a loop.
    [Theory]
    [InlineData("(?:-+|){2,}:", ":", true)]
    [InlineData("(?:-+|){2,}:", "-:", true)]
    [InlineData("(?:-+|){2}-:", "-:", true)]
    [InlineData("(?:-+|)+", "", true)]
    [InlineData("(?:[-x]+|){2}:", ":", true)]
    [InlineData("(?:|-+){2,}:", "--:", true)]
    [InlineData("(?:a||-+){2}:", "a:", true)]
    [InlineData("(?:-+|){2}", "a", false)]
    public void IsMatch_EmptyAlternativeNextToLoop_MatchesGo(string pattern, string input, bool expected) =>
        Assert.Equal(expected, GoRegex.Get(pattern).IsMatch(input));

    [Theory]
    [InlineData("(-+|)(-*)", "--", "$1|$2", "--|")]
    [InlineData("(|-+)(-*)", "--", "$1|$2", "|--")]
    [InlineData("(a||b)(c)", "bc", "$1|$2", "b|c")]
    [InlineData("(a||b)(b?c)", "bc", "$1|$2", "|bc")]
    [InlineData("(?:(-+)|)+(:)", "--:", "$1|$2", "--|:")]
    public void Match_EmptyAlternative_KeepsGoPreferenceAndGroups(string pattern, string input, string template, string expected)
    {
        var match = GoRegex.Get(pattern).Match(input);
        Assert.NotNull(match);
        Assert.Equal(expected, GoExpand.Expand(template, match));
    }

    [Theory]
    [InlineData("(?P<x>a)(b)", "ab", "$1,$2,$x", "a,b,a")]
    [InlineData("(?<x>a)(b)", "ab", "$1,$2,$x", "a,b,a")]
    [InlineData("(?P<1a>x)", "x", "$1a|$1", "x|x")]
    [InlineData("(a+)(a*)", "aaa", "$1|$2", "aaa|")]
    [InlineData("(a+?)(a*)", "aaa", "$1|$2", "a|aa")]
    [InlineData("(?U)(a+)(a*)", "aaa", "$1|$2", "a|aa")]
    [InlineData("(?U)(a+?)(a*)", "aaa", "$1|$2", "aaa|")]
    [InlineData("(a|ab)(c|bcd)(d*)", "abcd", "$1|$2|$3", "a|bcd|")]
    [InlineData("(.*?)(\\d*)", "ab12", "$1|$2", "ab|12")]
    [InlineData("(.)(.)", "\U0001F600x", "$1|$2", "\U0001F600|x")]
    [InlineData("(.*)(\U0001F600)", "a\U0001F600", "$1|$2", "a|\U0001F600")]
    [InlineData("(.+)(x)", "\U0001F600x", "$1|$2", "\U0001F600|x")]
    [InlineData("(.*?)(.)", "\U0001F600\U0001F601", "$1|$2", "\U0001F600|\U0001F601")]
    [InlineData("(.+?)(.*)", "\U0001F600\U0001F601", "$1|$2", "\U0001F600|\U0001F601")]
    [InlineData("(.?)(.*)", "\U0001F600\U0001F601", "$1|$2", "\U0001F600|\U0001F601")]
    [InlineData("(.{1})(.*)", "\U0001F600\U0001F601", "$1|$2", "\U0001F600|\U0001F601")]
    [InlineData("(?-s)(.*)", "ab", "$1", "ab")]
    public void Match_GroupsNumberedLikeGo(string pattern, string input, string template, string expected)
    {
        var match = GoRegex.Get(pattern).Match(input);
        Assert.NotNull(match);
        Assert.Equal(expected, GoExpand.Expand(template, match));
    }

    // Go rejects these (some of which .NET would accept); messages are Go's, wrapped as Prometheus compiles them.
    [Theory]
    [InlineData("abc(def", "missing closing ): `^(?s:abc(def)$`")]
    [InlineData("a)", "unexpected ): `^(?s:a))$`")]
    [InlineData("a{1001}", "invalid repeat count: `{1001}`")]
    [InlineData("a{2,1}", "invalid repeat count: `{2,1}`")]
    [InlineData("(a{100}){100}", "invalid repeat count: `{100}`")]
    [InlineData("\\8", "invalid escape sequence: `\\8`")]
    [InlineData("\\1", "invalid escape sequence: `\\1`")]
    [InlineData("(a)\\1", "invalid escape sequence: `\\1`")]
    [InlineData("\\k<a>", "invalid escape sequence: `\\k`")]
    [InlineData("\\u0041", "invalid escape sequence: `\\u`")]
    [InlineData("\\e", "invalid escape sequence: `\\e`")]
    [InlineData("\\cA", "invalid escape sequence: `\\c`")]
    [InlineData("\\Z", "invalid escape sequence: `\\Z`")]
    [InlineData("\\G", "invalid escape sequence: `\\G`")]
    [InlineData("[a-\\d]", "invalid escape sequence: `\\d`")]
    [InlineData("[\\b]", "invalid escape sequence: `\\b`")]
    [InlineData("(?P<>a)", "invalid named capture: `(?P<>`")]
    [InlineData("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`")]
    [InlineData("*", "missing argument to repetition operator: `*`")]
    [InlineData("a|*", "missing argument to repetition operator: `*`")]
    [InlineData("a**", "invalid nested repetition operator: `**`")]
    [InlineData("a*+", "invalid nested repetition operator: `*+`")]
    [InlineData("a++", "invalid nested repetition operator: `++`")]
    [InlineData("a?*", "invalid nested repetition operator: `?*`")]
    [InlineData("(?=a)", "invalid or unsupported Perl syntax: `(?=`")]
    [InlineData("(?!a)", "invalid or unsupported Perl syntax: `(?!`")]
    [InlineData("(?>a)", "invalid or unsupported Perl syntax: `(?>`")]
    [InlineData("(?#c)", "invalid or unsupported Perl syntax: `(?#`")]
    [InlineData("(?x)a", "invalid or unsupported Perl syntax: `(?x`")]
    [InlineData("(?n)a", "invalid or unsupported Perl syntax: `(?n`")]
    [InlineData("(?'n'a)", "invalid or unsupported Perl syntax: `(?'`")]
    [InlineData("(?i-)a", "invalid or unsupported Perl syntax: `(?i-)`")]
    [InlineData("(?(1)a|b)", "invalid or unsupported Perl syntax: `(?(`")]
    [InlineData("[a", "missing closing ]: `[a)$`")]
    [InlineData("[z-a]", "invalid character class range: `z-a`")]
    [InlineData("[[:foo:]]", "invalid character class range: `[:foo:]`")]
    [InlineData("\\p{foo}", "invalid character class range: `\\p{foo}`")]
    [InlineData("\\p{Old_Italic}", "invalid character class range: `\\p{Old_Italic}`")]
    [InlineData("\\p{SignWriting}", "invalid character class range: `\\p{SignWriting}`")]
    [InlineData("\\p{Gr eek", "invalid character class range: `\\p{Gr eek)$`")]
    [InlineData("\\Qa.b", "missing closing ): `^(?s:\\Qa.b)$`")]
    public void Get_UnsupportedSyntax_ThrowsGoMessage(string pattern, string expected)
    {
        var ex = Assert.Throws<GoRegexException>(() => GoRegex.Get(pattern));
        Assert.Equal("error parsing regexp: " + expected, ex.Message);
    }

    [Theory]
    [InlineData("(?<=a)b")]
    [InlineData("(?<!a)b")]
    public void Get_Lookbehinds_AreRejected(string pattern) =>
        Assert.Throws<GoRegexException>(() => GoRegex.Get(pattern));

    [Fact]
    public void Get_SameSource_ReturnsCachedInstance() =>
        Assert.Same(GoRegex.Get("cache-me-(.+)"), GoRegex.Get("cache-me-(.+)"));

    [Theory]
    [InlineData("a.*b", true)]
    [InlineData("(?i)abc|[[:digit:]]+", true)]
    [InlineData("a\\bb", false)]
    public void Get_Engine_NonBacktrackingUnlessLookaroundsNeeded(string pattern, bool nonBacktracking) =>
        Assert.Equal(nonBacktracking, GoRegex.Get(pattern).UsesNonBacktracking);

    [Fact]
    public void ReplaceAllIfMatch_WrapperEscape_ReplacesEachMatchLikeGo()
    {
        // ^(?s:a)|(b)$ on "ab" matches "a" at the start and "b" at the end.
        Assert.Equal("<><b>", GoRegex.Get("a)|(b").ReplaceAllIfMatch("ab", "<$1>"));
        Assert.Equal("<>x<b>", GoRegex.Get("a)|(b").ReplaceAllIfMatch("axb", "<$1>"));
        Assert.Null(GoRegex.Get("a)|(b").ReplaceAllIfMatch("x", "<$1>"));
    }
}

public sealed class GoRegexLoopFormTests
{
    private static readonly string[] Pieces =
        ["(.*)", "(.+)", ".*", ".+?", "(.*?)", "a", "\U0001F600", "(a|.*)", "x?", "(.)", "(?:.*)*", "(.?)", "([^a]*)"];

    private static readonly string[] Units = ["a", "x", "\U0001F600", "\U0001F601"];

    // The `.*` code-unit fast form must give exactly the captures of the plain code-point translation.
    [Fact]
    public void Translate_CodeUnitLoopForm_MatchesCodePointReference()
    {
        var pattern = CsCheck.Gen.Int[0, Pieces.Length - 1].Array[1, 4].Select(ix => string.Concat(ix.Select(i => Pieces[i])));
        var input = CsCheck.Gen.Int[0, Units.Length - 1].Array[0, 5].Select(ix => string.Concat(ix.Select(i => Units[i])));
        CsCheck.Gen.Select(pattern, input).Sample((p, s) =>
        {
            var wrapped = "^(?s:" + p + ")$";
            var fast = new System.Text.RegularExpressions.Regex(GoRegexTranslator.Translate(wrapped, codeUnitLoops: true).Pattern);
            var reference = new System.Text.RegularExpressions.Regex(GoRegexTranslator.Translate(wrapped, codeUnitLoops: false).Pattern);
            var a = fast.Match(s);
            var b = reference.Match(s);
            if (a.Success != b.Success || a.Groups.Count != b.Groups.Count)
            {
                return false;
            }

            for (var i = 0; i < a.Groups.Count; i++)
            {
                if (a.Groups[i].Success != b.Groups[i].Success || a.Groups[i].Index != b.Groups[i].Index
                    || a.Groups[i].Length != b.Groups[i].Length)
                {
                    return false;
                }
            }

            return true;
        }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }
}
