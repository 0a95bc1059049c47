using System.Buffers;
using System.Text;

namespace Quartermaster.Core.Serving;

/// <summary>
/// JSON string and URL encoding with the exact bytes Go's <c>encoding/json</c> (HTML-escaping on) and
/// <c>url.QueryEscape</c> produce, so responses match upstream byte for byte (spec upstream-ta.md §2.3, §2.5).
/// </summary>
public static class GoJson
{
    /// <summary>Printable ASCII that Go writes as it is: everything but <c>"</c>, <c>\</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>.</summary>
    private static readonly SearchValues<char> PlainAscii = SearchValues.Create(
        " !#$%'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    private static ReadOnlySpan<byte> HexUpper => "0123456789ABCDEF"u8;

    /// <summary>Writes <paramref name="value"/> as a quoted JSON string.</summary>
    public static void WriteString(IBufferWriter<byte> writer, string value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var n = WriteString(writer.GetSpan(MaxStringBytes(value)), value);
        writer.Advance(n);
    }

    /// <summary>The most bytes <see cref="WriteString(Span{byte}, string)"/> writes for <paramref name="value"/>.</summary>
    public static int MaxStringBytes(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return (value.Length * 6) + 2;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as a quoted JSON string into <paramref name="span"/>, which holds at least
    /// <see cref="MaxStringBytes"/> bytes, and returns the bytes written.
    /// </summary>
    public static int WriteString(Span<byte> span, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Label names and most values are plain ASCII: that prefix is checked and narrowed with vector instructions.
        var plain = value.AsSpan().IndexOfAnyExcept(PlainAscii);
        if (plain < 0)
        {
            plain = value.Length;
        }

        var n = 0;
        span[n++] = (byte)'"';
        System.Text.Ascii.FromUtf16(value.AsSpan(0, plain), span.Slice(n, plain), out _);
        n += plain;
        for (var i = plain; i < value.Length; i++)
        {
            // Between the characters that need care, plain runs are copied the same way (JSON in annotations).
            var run = value.AsSpan(i).IndexOfAnyExcept(PlainAscii);
            if (run != 0)
            {
                if (run < 0)
                {
                    run = value.Length - i;
                }

                System.Text.Ascii.FromUtf16(value.AsSpan(i, run), span.Slice(n, run), out _);
                n += run;
                i += run;
                if (i == value.Length)
                {
                    break;
                }
            }

            var c = value[i];
            if (c < 0x80)
            {
                if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
                {
                    span[n++] = (byte)c;
                    continue;
                }

                switch (c)
                {
                    case '"':
                    case '\\':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)c;
                        break;
                    case '\n':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'n';
                        break;
                    case '\r':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'r';
                        break;
                    case '\t':
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'t';
                        break;
                    default:
                        n += WriteUnicodeEscape(span[n..], c);
                        break;
                }

                continue;
            }

            if (c is '\u2028' or '\u2029')
            {
                n += WriteUnicodeEscape(span[n..], c);
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                n += Encoding.UTF8.GetBytes(value.AsSpan(i, 2), span[n..]);
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                // Go replaces invalid UTF-8 with U+FFFD; a lone surrogate is the .NET equivalent.
                n += WriteUnicodeEscape(span[n..], '\ufffd');
                continue;
            }

            n += Encoding.UTF8.GetBytes(value.AsSpan(i, 1), span[n..]);
        }

        span[n++] = (byte)'"';
        return n;
    }

    public static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    public static void WriteByte(IBufferWriter<byte> writer, byte b)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.GetSpan(1)[0] = b;
        writer.Advance(1);
    }

    /// <summary>Go's <c>url.QueryEscape</c>: space as <c>+</c>, unreserved kept, everything else <c>%XX</c>.</summary>
    public static string QueryEscape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append((char)HexUpper[b >> 4]).Append((char)HexUpper[b & 0xF]);
            }
        }

        return sb.ToString();
    }

    /// <summary>Go's <c>url.QueryUnescape</c>; returns false where Go returns an error.</summary>
    public static bool TryQueryUnescape(string value, out string result)
    {
        ArgumentNullException.ThrowIfNull(value);
        result = value;
        if (value.AsSpan().IndexOfAny('%', '+') < 0)
        {
            return true;
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !IsHex(value[i + 1]) || !IsHex(value[i + 2]))
                {
                    return false;
                }

                bytes[n++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                i += 2;
            }
            else if (c == '+')
            {
                bytes[n++] = (byte)' ';
            }
            else
            {
                n += Encoding.UTF8.GetBytes(value.AsSpan(i, 1), bytes.AsSpan(n));
            }
        }

        result = Encoding.UTF8.GetString(bytes, 0, n);
        return true;
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static int WriteUnicodeEscape(Span<byte> span, char c)
    {
        span[0] = (byte)'\\';
        span[1] = (byte)'u';
        span[2] = Hex[(c >> 12) & 0xF];
        span[3] = Hex[(c >> 8) & 0xF];
        span[4] = Hex[(c >> 4) & 0xF];
        span[5] = Hex[c & 0xF];
        return 6;
    }
}
