using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Relabeling;

/// <summary>Go string helpers Prometheus' relabeling relies on: case mapping and <c>%q</c> quoting.</summary>
internal static class GoText
{
    /// <summary>Go <c>strings.ToLower</c>: per-rune simple mapping (U+0130 maps to <c>i</c>, unlike .NET).</summary>
    public static string ToLower(string s) => Map(s, upper: false);

    /// <summary>Go <c>strings.ToUpper</c>: per-rune simple mapping (U+0131 maps to <c>I</c>, unlike .NET).</summary>
    public static string ToUpper(string s) => Map(s, upper: true);

    /// <summary>Go <c>strconv.Quote</c> (what <c>%q</c> prints for a string).</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        for (var i = 0; i < s.Length;)
        {
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate: quote its three generalized-UTF-8 bytes, as Go quotes invalid bytes.
                int unit = s[i];
                sb.Append("\\x").Append((0xE0 | (unit >> 12)).ToString("x2", CultureInfo.InvariantCulture))
                    .Append("\\x").Append((0x80 | ((unit >> 6) & 0x3F)).ToString("x2", CultureInfo.InvariantCulture))
                    .Append("\\x").Append((0x80 | (unit & 0x3F)).ToString("x2", CultureInfo.InvariantCulture));
                i++;
                continue;
            }

            i += consumed;
            switch (rune.Value)
            {
                case '"':
                    sb.Append("\\\"");
                    continue;
                case '\\':
                    sb.Append("\\\\");
                    continue;
                case 7:
                    sb.Append("\\a");
                    continue;
                case '\b':
                    sb.Append("\\b");
                    continue;
                case '\f':
                    sb.Append("\\f");
                    continue;
                case '\n':
                    sb.Append("\\n");
                    continue;
                case '\r':
                    sb.Append("\\r");
                    continue;
                case '\t':
                    sb.Append("\\t");
                    continue;
                case '\v':
                    sb.Append("\\v");
                    continue;
            }

            if (IsPrint(rune))
            {
                sb.Append(rune.ToString());
            }
            else if (rune.Value < 0x80)
            {
                sb.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (rune.Value < 0x10000)
            {
                sb.Append("\\u").Append(rune.Value.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\U").Append(rune.Value.ToString("x8", CultureInfo.InvariantCulture));
            }
        }

        return sb.Append('"').ToString();
    }

    // Go unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

    private static string Map(string s, bool upper)
    {
        var ascii = true;
        foreach (var c in s)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            return upper ? s.ToUpperInvariant() : s.ToLowerInvariant();
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length;)
        {
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // Go maps invalid UTF-8 to U+FFFD while mapping.
                sb.Append('\uFFFD');
                i++;
                continue;
            }

            i += consumed;
            var mapped = (upper, rune.Value) switch
            {
                (false, 0x130) => new Rune('i'),
                (true, 0x131) => new Rune('I'),
                (true, 0x17F) => new Rune('S'), // .NET's invariant-globalization casing omits this mapping.
                (false, _) => Rune.ToLowerInvariant(rune),
                _ => Rune.ToUpperInvariant(rune),
            };
            sb.Append(mapped.ToString());
        }

        return sb.ToString();
    }
}
