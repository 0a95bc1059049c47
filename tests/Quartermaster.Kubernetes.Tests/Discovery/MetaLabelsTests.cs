using Quartermaster.Kubernetes.Discovery;

namespace Quartermaster.Kubernetes.Tests.Discovery;

public sealed class MetaLabelsTests
{
    [Theory]
    [InlineData("app.kubernetes.io/name", "app_kubernetes_io_name")]
    [InlineData("plain_Name09", "plain_Name09")]
    [InlineData("é", "_")]
    [InlineData("a😀b", "a_b")]
    [InlineData("-", "_")]
    [InlineData("", "")]
    public void Sanitize_Name_ReplacesEachCodePoint(string input, string expected) =>
        Assert.Equal(expected, MetaLabels.Sanitize(input));

    [Theory]
    [InlineData("10.0.0.1", 80, "10.0.0.1:80")]
    [InlineData("fd00::1", 9090, "[fd00::1]:9090")]
    [InlineData("host", 0, "host:0")]
    public void JoinHostPort_Host_FormatsAsGo(string host, int port, string expected) =>
        Assert.Equal(expected, MetaLabels.JoinHostPort(host, port));

    [Theory]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("exact.org", "exact.org", true)]
    [InlineData("a.example.com", "b.example.com", false)]
    public void MatchesHostPattern_Pattern_MatchesOneLabelWildcard(string pattern, string host, bool expected) =>
        Assert.Equal(expected, IngressTranslator.MatchesHostPattern(pattern, host));
}
