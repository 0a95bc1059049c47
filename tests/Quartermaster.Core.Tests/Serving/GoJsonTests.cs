using System.Buffers;
using System.Text;
using CsCheck;
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

    [Theory]
    [InlineData("plain prefix then <", "\"plain prefix then \\u003c\"")]
    [InlineData("__meta_kubernetes_service_annotation_kubectl_kubernetes_io_last_applied_configuration_and_more", "\"__meta_kubernetes_service_annotation_kubectl_kubernetes_io_last_applied_configuration_and_more\"")]
    [InlineData("delete\u007f", "\"delete\u007f\"")]
    [InlineData("", "\"\"")]
    public void WriteString_PlainPrefixThenOther_EscapesTheRest(string value, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();

        GoJson.WriteString(buffer, value);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WriteString_AnyText_MatchesGoEscapingRules()
    {
        // Long plain runs (vector widths) mixed with every character class Go's encoder treats apart.
        const string Pool = "abcXYZ019 _-./:{}[]'=~!#$%()*+,;?@^`|<>&\"\\\n\r\t\u0001\u001f\u007f\u0080é✓\u2028\u2029\ud83d\ude00";
        Gen.Int[0, Pool.Length - 1].Array[0, 120].Sample(indexes =>
        {
            var value = new string([.. indexes.Select(i => Pool[i])]);
            var buffer = new ArrayBufferWriter<byte>();

            GoJson.WriteString(buffer, value);

            Assert.Equal(Reference(value), Encoding.UTF8.GetString(buffer.WrittenSpan));
        }, iter: 3000);
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

    /// <summary>Go's encoding/json string rules (HTML escaping on), one character at a time.</summary>
    private static string Reference(string value)
    {
        var sb = new StringBuilder("\"");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (c < 0x20 || c is '<' or '>' or '&' or '\u2028' or '\u2029')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        sb.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        sb.Append("\\ufffd");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
