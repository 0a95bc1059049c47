using System.Buffers;
using System.Text;
using Quartermaster.Core.Serving;

namespace Quartermaster.Core.Tests.Serving;

public class GoJsonTests
{
    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("<a&b>", "\"\\u003ca\\u0026b\\u003e\"")]
    [InlineData("quote\"back\\slash", "\"quote\\\"back\\\\slash\"")]
    [InlineData("line\nfeed\r\ttab", "\"line\\nfeed\\r\\ttab\"")]
    [InlineData("\u0001", "\"\\u0001\"")]
    [InlineData("\u2028\u2029", "\"\\u2028\\u2029\"")]
    [InlineData("héllo ✓", "\"héllo ✓\"")]
    [InlineData("\ud83d\ude00", "\"\ud83d\ude00\"")]
    public void WriteString_EscapesAsGoEncodingJson(string value, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();

        GoJson.WriteString(buffer, value);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WriteString_LoneSurrogate_IsReplacementCharacter()
    {
        var buffer = new ArrayBufferWriter<byte>();

        GoJson.WriteString(buffer, "a" + new string('\ud83d', 1) + "b");

        Assert.Equal("\"a\\ufffdb\"", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData("serviceMonitor/default/my-app/0", "serviceMonitor%2Fdefault%2Fmy-app%2F0")]
    [InlineData("a b", "a+b")]
    [InlineData("A-Z_a.z~0", "A-Z_a.z~0")]
    [InlineData("100%", "100%25")]
    [InlineData("é", "%C3%A9")]
    public void QueryEscape_MatchesGo(string value, string expected)
    {
        Assert.Equal(expected, GoJson.QueryEscape(value));
        Assert.True(GoJson.TryQueryUnescape(expected, out var back));
        Assert.Equal(value, back);
    }

    [Theory]
    [InlineData("100%")]
    [InlineData("%zz")]
    [InlineData("%4")]
    public void TryQueryUnescape_Malformed_Fails(string value)
    {
        Assert.False(GoJson.TryQueryUnescape(value, out _));
    }
}
