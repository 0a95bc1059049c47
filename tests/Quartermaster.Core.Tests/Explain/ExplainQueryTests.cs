using Quartermaster.Core.Explain;

namespace Quartermaster.Core.Tests.Explain;

public sealed class ExplainQueryTests
{
    [Theory]
    [InlineData("10.0.0.1:8080", null, "10.0.0.1:8080")]
    [InlineData(" host ", "node", "host in job node")]
    [InlineData("[::1]:9100", null, "[::1]:9100")]
    [InlineData("{__address__=\"10.0.0.1:80\", job=\"node\"}", null, "{__address__=\"10.0.0.1:80\", job=\"node\"}")]
    [InlineData("{a!=\"x\",b=~\"y.*\",c!~\"\\\"q\\\"\",}", null, "{a!=\"x\", b=~\"y.*\", c!~\"\\\"q\\\"\"}")]
    public void TryParse_ValidForms_Parse(string target, string? job, string described)
    {
        Assert.True(ExplainQuery.TryParse(target, job, out var query, out var error), error);
        Assert.Equal(described, query.ToString());
    }

    [Theory]
    [InlineData("", "missing target")]
    [InlineData("a b:80", "an address holds no ' '")]
    [InlineData("job=node", "an address holds no '='")]
    [InlineData("{}", "at least one matcher")]
    [InlineData("{a=x}", "expected a double-quoted value for a")]
    [InlineData("{a=\"x\"", "expected ',' or '}'")]
    [InlineData("{a=~\"(\"}", "invalid regex for a")]
    [InlineData("{1a=\"x\"}", "expected a label name")]
    [InlineData("{a=\"x\"} tail", "unexpected text")]
    public void TryParse_Malformed_SaysWhatAndExpectedForm(string target, string reason)
    {
        Assert.False(ExplainQuery.TryParse(target, null, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.EndsWith(ExplainQuery.ExpectedForm, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Matches_RegexIsAnchored()
    {
        Assert.True(ExplainQuery.TryParse("{__address__=~\"10\\\\.0\\\\..*\"}", null, out var query, out var error), error);
        Assert.True(query.Matches([new("__address__", "10.0.0.1:80")], "j"));
        Assert.False(query.Matches([new("__address__", "110.0.0.1:80")], "j"));
    }
}
