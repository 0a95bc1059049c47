using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Config;

/// <summary>Prometheus' <c>body_size_limit</c> syntax: base-2 byte units (<c>KB</c> and <c>KiB</c> are both 1024).</summary>
public static class ByteSize
{
    private static readonly string[] Prefixes = ["", "K", "M", "G", "T", "P", "E"];

    public static bool TryParse(string text, out long bytes, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = 0;
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
            error = "units: invalid " + text;
            return false;
        }

        var total = 0.0;
        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                error = "units: invalid " + text;
                return false;
            }

            s = s[i..];
            var j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }

            var unit = s[..j].ToString();
            s = s[j..];
            var multiplier = Multiplier(unit);
            if (multiplier == 0)
            {
                error = $"units: unknown unit {unit} in {text}";
                return false;
            }

            total += value * multiplier;
        }

        if (total >= long.MaxValue)
        {
            error = "units: invalid " + text;
            return false;
        }

        bytes = neg ? -(long)total : (long)total;
        return true;
    }

    /// <summary>Formats as Go's <c>units.Base2Bytes.String()</c>: <c>100MiB</c>, <c>1GiB512MiB</c>, <c>0B</c>.</summary>
    public static string Format(long bytes)
    {
        if (bytes == 0)
        {
            return "0B";
        }

        var neg = bytes < 0;
        var mag = neg ? (ulong)(-(bytes + 1)) + 1 : (ulong)bytes;
        var parts = new string[Prefixes.Length];
        for (var i = 0; i < Prefixes.Length && mag != 0; i++)
        {
            var rem = mag % 1024;
            if (rem != 0)
            {
                parts[i] = rem.ToString(CultureInfo.InvariantCulture) + Prefixes[i] + (i == 0 ? "B" : "iB");
            }

            mag /= 1024;
        }

        var sb = new StringBuilder();
        if (neg)
        {
            sb.Append('-');
        }

        for (var i = parts.Length - 1; i >= 0; i--)
        {
            sb.Append(parts[i]);
        }

        return sb.ToString();
    }

    private static double Multiplier(string unit)
    {
        if (unit == "B")
        {
            return 1;
        }

        for (var i = 1; i < Prefixes.Length; i++)
        {
            if (unit == Prefixes[i] + "iB" || unit == Prefixes[i] + "B")
            {
                return Math.Pow(1024, i);
            }
        }

        return 0;
    }
}
