using System.Globalization;

namespace Quartermaster.LoadTest;

/// <summary>Percentiles of a set of durations, in milliseconds.</summary>
public sealed record LatencyStats(int Count, double P50, double P90, double P99, double Max)
{
    public static readonly LatencyStats Empty = new(0, 0, 0, 0, 0);

    /// <summary>Nearest-rank percentiles of <paramref name="milliseconds"/> (sorted in place).</summary>
    public static LatencyStats From(double[] milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        if (milliseconds.Length == 0)
        {
            return Empty;
        }

        Array.Sort(milliseconds);
        double Rank(double p) => milliseconds[Math.Clamp((int)Math.Ceiling(p * milliseconds.Length) - 1, 0, milliseconds.Length - 1)];
        return new LatencyStats(milliseconds.Length, Rank(0.50), Rank(0.90), Rank(0.99), milliseconds[^1]);
    }

    public override string ToString() => Count == 0
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"p50 {P50:F2} ms, p90 {P90:F2} ms, p99 {P99:F2} ms, max {Max:F2} ms (n={Count:N0})");
}
