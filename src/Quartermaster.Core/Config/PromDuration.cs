using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Config;

/// <summary>A Prometheus <c>model.Duration</c>: millisecond precision, units <c>y w d h m s ms</c>.</summary>
public readonly record struct PromDuration(long Milliseconds) : IComparable<PromDuration>
{
    private const long Second = 1000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;
    private const long Week = 7 * Day;
    private const long Year = 365 * Day;

    private static readonly (string Unit, long Size)[] Units =
    [
        ("y", Year), ("w", Week), ("d", Day), ("h", Hour), ("m", Minute), ("s", Second), ("ms", 1),
    ];

    public static PromDuration Zero => default;

    public static PromDuration FromSeconds(long seconds) => new(seconds * Second);

    public TimeSpan ToTimeSpan() => TimeSpan.FromMilliseconds(Milliseconds);

    public int CompareTo(PromDuration other) => Milliseconds.CompareTo(other.Milliseconds);

    public static bool operator <(PromDuration left, PromDuration right) => left.Milliseconds < right.Milliseconds;

    public static bool operator >(PromDuration left, PromDuration right) => left.Milliseconds > right.Milliseconds;

    public static bool operator <=(PromDuration left, PromDuration right) => left.Milliseconds <= right.Milliseconds;

    public static bool operator >=(PromDuration left, PromDuration right) => left.Milliseconds >= right.Milliseconds;

    /// <summary>Parses the Prometheus duration grammar; the error text is Prometheus' own.</summary>
    public static bool TryParse(string text, out PromDuration duration, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        error = null;
        if (text == "0")
        {
            return true;
        }

        if (text.Length == 0)
        {
            error = "empty duration string";
            return false;
        }

        long total = 0;
        var pos = 0;
        var lastUnit = -1;
        while (pos < text.Length)
        {
            var start = pos;
            while (pos < text.Length && text[pos] is >= '0' and <= '9')
            {
                pos++;
            }

            if (pos == start)
            {
                error = $"not a valid duration string: {Quote(text)}";
                return false;
            }

            var digits = text.AsSpan(start, pos - start);
            var unitStart = pos;
            while (pos < text.Length && text[pos] is not (>= '0' and <= '9'))
            {
                pos++;
            }

            var unit = text[unitStart..pos];
            var unitIndex = Array.FindIndex(Units, u => u.Unit == unit);
            if (unit.Length == 0 || unitIndex < 0)
            {
                error = unit.Length == 0
                    ? $"not a valid duration string: {Quote(text)}"
                    : $"unknown unit {Quote(unit)} in duration {Quote(text)}";
                return false;
            }

            if (unitIndex <= lastUnit)
            {
                error = $"not a valid duration string: {Quote(text)}";
                return false;
            }

            lastUnit = unitIndex;
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                error = "duration out of range";
                return false;
            }

            try
            {
                total = checked(total + checked(n * Units[unitIndex].Size));
            }
            catch (OverflowException)
            {
                error = "duration out of range";
                return false;
            }
        }

        duration = new PromDuration(total);
        return true;
    }

    public static PromDuration Parse(string text) =>
        TryParse(text, out var d, out var error) ? d : throw new FormatException(error);

    /// <summary>Formats as Prometheus does: <c>0s</c>, <c>1m30s</c>, <c>1d</c>, <c>2w</c>, <c>1s500ms</c>.</summary>
    public override string ToString()
    {
        var ms = Milliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (ms < 0)
        {
            sb.Append('-');
            ms = -ms;
        }

        foreach (var (unit, size) in Units)
        {
            // Years and weeks are only used when they divide the whole duration exactly.
            if ((unit == "y" || unit == "w") && ms % size != 0)
            {
                continue;
            }

            if (ms >= size)
            {
                sb.Append((ms / size).ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms %= size;
            }
        }

        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
