using System.Buffers;
using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Config;

/// <summary>
/// Writes JSON byte-for-byte as Go's <c>encoding/json</c> (and goccy/go-json) do for generic values: object keys
/// sorted by their UTF-8 bytes, compact, HTML-escaped, numbers formatted as float64.
/// </summary>
/// <remarks>
/// Values are <see cref="SortedDictionary{TKey,TValue}"/> (created by <see cref="NewObject"/>), <see cref="List{T}"/>
/// of values, <see cref="string"/>, <see cref="bool"/>, <see cref="double"/> and <c>null</c>.
/// </remarks>
internal static class GoJson
{

    public static SortedDictionary<string, object?> NewObject() => new(Utf8Order.Instance);

    public static void Write(IBufferWriter<byte> output, object? value)
    {
        switch (value)
        {
            case null:
                Append(output, "null"u8);
                break;
            case string s:
                WriteString(output, s);
                break;
            case bool b:
                Append(output, b ? "true"u8 : "false"u8);
                break;
            case double d:
                Append(output, Encoding.UTF8.GetBytes(FormatNumber(d)));
                break;
            case SortedDictionary<string, object?> obj:
                Append(output, "{"u8);
                var first = true;
                foreach (var (k, v) in obj)
                {
                    if (!first)
                    {
                        Append(output, ","u8);
                    }

                    first = false;
                    WriteString(output, k);
                    Append(output, ":"u8);
                    Write(output, v);
                }

                Append(output, "}"u8);
                break;
            case List<object?> list:
                Append(output, "["u8);
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        Append(output, ","u8);
                    }

                    Write(output, list[i]);
                }

                Append(output, "]"u8);
                break;
            default:
                throw new ArgumentException($"unsupported JSON value type {value.GetType()}", nameof(value));
        }
    }

    /// <summary>Go's float64 JSON form: shortest round-trip digits, exponent only below 1e-6 or from 1e21.</summary>
    public static string FormatNumber(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "JSON has no representation for NaN or infinity");
        }

        if (value == 0)
        {
            return "0";
        }

        var abs = Math.Abs(value);
        var r = abs.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOfAny(['E', 'e']);
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var pointPos = point < 0 ? mantissa.Length : point;
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        pointPos -= lead;
        var decExp = pointPos + exponent;
        var sb = new StringBuilder();
        if (value < 0)
        {
            sb.Append('-');
        }

        if (abs < 1e-6 || abs >= 1e21)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var x = decExp - 1;
            sb.Append('e').Append(x < 0 ? '-' : '+');
            var xs = Math.Abs(x).ToString(CultureInfo.InvariantCulture);

            // Go writes at least two exponent digits, then encoding/json trims "e-07" to "e-7".
            sb.Append(xs.Length < 2 && x >= 0 ? "0" + xs : xs);
        }
        else if (decExp <= 0)
        {
            sb.Append("0.").Append('0', -decExp).Append(digits);
        }
        else if (decExp >= digits.Length)
        {
            sb.Append(digits).Append('0', decExp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, decExp).Append('.').Append(digits, decExp, digits.Length - decExp);
        }

        return sb.ToString();
    }

    public static void WriteString(IBufferWriter<byte> output, string s) => Serving.GoJson.WriteString(output, s);

    private static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>Orders strings as their UTF-8 encodings compare byte-wise (i.e. by code point), as Go sorts map keys.</summary>
    internal sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) => Labels.LabelNames.Compare(x, y);
    }
}
