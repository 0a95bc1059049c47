using System.IO.Hashing;
using System.Text;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Targets;

/// <summary>The upstream target allocator's target identity hash (upstream-ta.md §3.2, <c>HashFromBuilder</c>).</summary>
public static class TargetIdentity
{
    private const byte Separator = 0xFF;
    private const string MetaPrefix = "__meta_";

    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>
    /// XXH64 (seed 0) over <c>name 0xFF value 0xFF</c> for every label in the builder's <c>Range</c> order, skipping
    /// <c>__meta_*</c>, followed by the job name.
    /// </summary>
    public static ulong Hash(LabelsBuilder builder, string jobName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(jobName);
        var buffer = t_buffer ??= new byte[4096];
        var length = 0;
        foreach (var label in builder)
        {
            if (label.Name.StartsWith(MetaPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            Append(ref buffer, ref length, label.Name);
            Append(ref buffer, ref length, Separator);
            Append(ref buffer, ref length, label.Value);
            Append(ref buffer, ref length, Separator);
        }

        Append(ref buffer, ref length, jobName);
        t_buffer = buffer;
        return XxHash64.HashToUInt64(buffer.AsSpan(0, length));
    }

    /// <summary>Upstream <c>HashLabels</c>: the hash of a sorted label set with no seeding or relabeling.</summary>
    public static ulong HashLabels(ReadOnlySpan<Label> sortedLabels, string jobName) =>
        Hash(new LabelsBuilder(sortedLabels), jobName);

    private static void Append(ref byte[] buffer, ref int length, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Ensure(ref buffer, length + max);
        length += Encoding.UTF8.GetBytes(text, buffer.AsSpan(length));
    }

    private static void Append(ref byte[] buffer, ref int length, byte value)
    {
        Ensure(ref buffer, length + 1);
        buffer[length++] = value;
    }

    private static void Ensure(ref byte[] buffer, int required)
    {
        if (required > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(required, buffer.Length * 2));
        }
    }
}
