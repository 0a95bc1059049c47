using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Config;

/// <summary>
/// Go's <c>time.Duration</c> text form, used by the allocator's own duration keys (upstream quirk Q14: units
/// <c>ns us µs ms s m h</c> only, no <c>d</c>/<c>w</c>/<c>y</c>).
/// </summary>
public static class GoDuration
{
    private const ulong Nanosecond = 1;
    private const ulong Microsecond = 1000 * Nanosecond;
    private const ulong Millisecond = 1000 * Microsecond;
    private const ulong Second = 1000 * Millisecond;
    private const ulong Minute = 60 * Second;
    private const ulong Hour = 60 * Minute;
    private const ulong Limit = 1UL << 63;

    /// <summary>Parses like Go's <c>time.ParseDuration</c>; the result is in nanoseconds.</summary>
    public static bool TryParse(string text, out long nanoseconds, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        nanoseconds = 0;
        error = null;
        var s = text.AsSpan();
        var neg = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            neg = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            error = Invalid(text);
            return false;
        }

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = Invalid(text);
                return false;
            }

            var before = s.Length;
            if (!TryLeadingInt(ref s, out var v))
            {
                error = Invalid(text);
                return false;
            }

            var pre = before != s.Length;
            var post = false;
            ulong f = 0;
            var scale = 1.0;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var beforeFraction = s.Length;
                LeadingFraction(ref s, out f, out scale);
                post = beforeFraction != s.Length;
            }

            if (!pre && !post)
            {
                error = Invalid(text);
                return false;
            }

            var i = 0;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == 0)
            {
                error = $"time: missing unit in duration {Quote(text)}";
                return false;
            }

            var unitText = s[..i];
            s = s[i..];
            var unit = UnitSize(unitText);
            if (unit == 0)
            {
                error = $"time: unknown unit {Quote(unitText.ToString())} in duration {Quote(text)}";
                return false;
            }

            if (v > Limit / unit)
            {
                error = Invalid(text);
                return false;
            }

            v *= unit;
            if (f > 0)
            {
                v += (ulong)(f * (unit / scale));
                if (v > Limit)
                {
                    error = Invalid(text);
                    return false;
                }
            }

            total += v;
            if (total > Limit)
            {
                error = Invalid(text);
                return false;
            }
        }

        if (neg)
        {
            nanoseconds = total == Limit ? long.MinValue : -(long)total;
            return true;
        }

        if (total > Limit - 1)
        {
            error = Invalid(text);
            return false;
        }

        nanoseconds = (long)total;
        return true;
    }

    /// <summary>Parses to a <see cref="TimeSpan"/> (truncated to 100 ns ticks).</summary>
    public static bool TryParse(string text, out TimeSpan duration, out string? error)
    {
        var ok = TryParse(text, out long ns, out error);
        duration = TimeSpan.FromTicks(ns / 100);
        return ok;
    }

    /// <summary>Formats like Go's <c>Duration.String()</c>: <c>0s</c>, <c>1.5µs</c>, <c>1h2m3.5s</c>.</summary>
    public static string Format(long nanoseconds)
    {
        var u = nanoseconds < 0 ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        if (u == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder(24);
        if (nanoseconds < 0)
        {
            sb.Append('-');
        }

        if (u < Second)
        {
            var (prec, unit) = u < Microsecond ? (0, "ns") : u < Millisecond ? (3, "µs") : (6, "ms");
            AppendFraction(sb, u, prec);
            sb.Append(unit);
            return sb.ToString();
        }

        var hours = u / Hour;
        var minutes = u / Minute % 60;
        var seconds = u % Minute;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        AppendFraction(sb, seconds, 9);
        sb.Append('s');
        return sb.ToString();
    }

    /// <summary>Formats a <see cref="TimeSpan"/> as Go would print the same duration.</summary>
    public static string Format(TimeSpan duration) => Format(checked(duration.Ticks * 100));

    private static void AppendFraction(StringBuilder sb, ulong value, int prec)
    {
        ulong pow = 1;
        for (var i = 0; i < prec; i++)
        {
            pow *= 10;
        }

        sb.Append((value / pow).ToString(CultureInfo.InvariantCulture));
        var frac = value % pow;
        if (frac == 0)
        {
            return;
        }

        var digits = frac.ToString(CultureInfo.InvariantCulture).PadLeft(prec, '0').TrimEnd('0');
        sb.Append('.').Append(digits);
    }

    private static ulong UnitSize(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => Nanosecond,
        "us" or "µs" or "μs" => Microsecond,
        "ms" => Millisecond,
        "s" => Second,
        "m" => Minute,
        "h" => Hour,
        _ => 0,
    };

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong x)
    {
        x = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (x > Limit / 10)
            {
                return false;
            }

            x = (x * 10) + (ulong)(s[i] - '0');
            if (x > Limit)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong x, out double scale)
    {
        x = 0;
        scale = 1;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }

            if (x > (Limit - 1) / 10)
            {
                overflow = true;
                continue;
            }

            var y = (x * 10) + (ulong)(s[i] - '0');
            if (y > Limit)
            {
                overflow = true;
                continue;
            }

            x = y;
            scale *= 10;
        }

        s = s[i..];
    }

    private static string Invalid(string text) => $"time: invalid duration {Quote(text)}";

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
