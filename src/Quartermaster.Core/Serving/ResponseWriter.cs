using System.Buffers;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Serving;

/// <summary>Writes the API's JSON bodies with upstream's exact bytes (spec upstream-ta.md §2.3–§2.6).</summary>
public static class ResponseWriter
{
    private const int MaxRetainedBuffer = 16 * 1024 * 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>
    /// <c>[{"targets":["addr"],"labels":{…}},…]</c> plus a newline. Items are written in the order given; callers
    /// sort them by address then identity, so every replica serves the same bytes.
    /// </summary>
    /// <remarks>
    /// With <paramref name="compress"/>, bodies of <see cref="GzipBodies.MinimumSize"/> or more are returned
    /// gzip-compressed (see <see cref="GzipBodies.Plain"/>).
    /// </remarks>
    public static byte[] TargetGroups(IReadOnlyList<TargetItem> items, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return ServingSnapshot.EmptyTargets;
        }

        // One reused buffer per thread, written through a span with one capacity check per string: the bodies of a
        // full pass are most of its work, so no interface call per byte run.
        var writer = new SpanWriter(t_buffer ??= new byte[64 * 1024]);
        writer.Raw("["u8);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            writer.Raw(i == 0 ? "{\"targets\":["u8 : ",{\"targets\":["u8);
            writer.String(item.TargetUrl);
            writer.Raw("],\"labels\":{"u8);
            WriteMergedLabels(ref writer, item.GroupLabels, item.TargetLabels);
            writer.Raw("}}"u8);
        }

        writer.Raw("]\n"u8);

        // Served bodies live until their (job, collector) changes: allocated on the pinned object heap they skip
        // gen0 and are never copied by a compacting collection, which otherwise promotes every byte twice.
        byte[] result;
        if (compress && writer.Length >= GzipBodies.MinimumSize)
        {
            result = GzipBodies.CompressToStored(writer.Written);
        }
        else
        {
            result = GC.AllocateUninitializedArray<byte>(writer.Length, pinned: true);
            writer.Written.CopyTo(result);
        }

        t_buffer = writer.Buffer.Length > MaxRetainedBuffer ? null : writer.Buffer;
        return result;
    }

    /// <summary>Writes the merge of group and target labels (target wins) as JSON members, in name order.</summary>
    private static void WriteMergedLabels(ref SpanWriter writer, Label[] group, Label[] target)
    {
        int g = 0, t = 0;
        var first = true;
        while (g < group.Length || t < target.Length)
        {
            Label next;
            if (t == target.Length)
            {
                next = group[g++];
            }
            else if (g == group.Length)
            {
                next = target[t++];
            }
            else
            {
                var c = LabelNames.Compare(group[g].Name, target[t].Name);
                if (c < 0)
                {
                    next = group[g++];
                }
                else
                {
                    if (c == 0)
                    {
                        g++;
                    }

                    next = target[t++];
                }
            }

            if (!first)
            {
                writer.Raw(","u8);
            }

            first = false;
            writer.String(next.Name);
            writer.Raw(":"u8);
            writer.String(next.Value);
        }
    }

    /// <summary><c>/jobs</c>: every job with at least one target, keys sorted, and a newline.</summary>
    public static byte[] Jobs(IEnumerable<string> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var buffer = new ArrayBufferWriter<byte>(1024);
        GoJson.WriteByte(buffer, (byte)'{');
        var first = true;
        foreach (var job in jobs.Order(Config.GoJson.Utf8Order.Instance))
        {
            if (!first)
            {
                GoJson.WriteByte(buffer, (byte)',');
            }

            first = false;
            GoJson.WriteString(buffer, job);
            GoJson.WriteRaw(buffer, ":{\"_link\":"u8);
            GoJson.WriteString(buffer, "/jobs/" + GoJson.QueryEscape(job) + "/targets");
            GoJson.WriteByte(buffer, (byte)'}');
        }

        GoJson.WriteRaw(buffer, "}\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>/jobs/{job}/targets</c> without <c>collector_id</c>: an entry for every collector, empty ones included.
    /// The <c>_link</c> string is upstream's verbatim, including its non-existent <c>/debug/jobs</c> path (§11 Q4).
    /// </summary>
    public static byte[] CollectorMap(string job, IReadOnlyList<string> sortedCollectors, Func<string, byte[]> targetsOf)
    {
        ArgumentNullException.ThrowIfNull(sortedCollectors);
        ArgumentNullException.ThrowIfNull(targetsOf);
        var buffer = new ArrayBufferWriter<byte>(1024);
        var escapedJob = GoJson.QueryEscape(job);
        GoJson.WriteByte(buffer, (byte)'{');
        for (var i = 0; i < sortedCollectors.Count; i++)
        {
            var collector = sortedCollectors[i];
            if (i > 0)
            {
                GoJson.WriteByte(buffer, (byte)',');
            }

            GoJson.WriteString(buffer, collector);
            GoJson.WriteRaw(buffer, ":{\"_link\":"u8);
            GoJson.WriteString(buffer, "/debug/jobs/" + escapedJob + "/targets?collector_id=" + collector);
            GoJson.WriteRaw(buffer, ",\"targets\":"u8);
            var targets = targetsOf(collector);

            // Stored arrays end in a newline; embedded here without it.
            GoJson.WriteRaw(buffer, targets.AsSpan(0, targets.Length - 1));
            GoJson.WriteByte(buffer, (byte)'}');
        }

        GoJson.WriteRaw(buffer, "}\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Appends to a byte array, doubling it when a write might not fit.</summary>
    private ref struct SpanWriter(byte[] buffer)
    {
        public byte[] Buffer { get; private set; } = buffer;

        public int Length { get; private set; }

        public readonly ReadOnlySpan<byte> Written => Buffer.AsSpan(0, Length);

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(Buffer.AsSpan(Length));
            Length += bytes.Length;
        }

        public void String(string value)
        {
            Ensure(GoJson.MaxStringBytes(value));
            Length += GoJson.WriteString(Buffer.AsSpan(Length), value);
        }

        private void Ensure(int count)
        {
            if (Buffer.Length - Length < count)
            {
                var grown = new byte[Math.Max(Buffer.Length * 2, Length + count)];
                Buffer.AsSpan(0, Length).CopyTo(grown);
                Buffer = grown;
            }
        }
    }
}
