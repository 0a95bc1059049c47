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
    /// <c>[{"targets":["addr"],"labels":{…}},…]</c> plus a newline, stored through <paramref name="cursor"/>. Items are
    /// written in the order given; callers sort them by address then identity, so every replica serves the same bytes.
    /// </summary>
    /// <remarks>
    /// Plain bodies are written in place in the cursor's slab: no array and no copy per body. With
    /// <paramref name="compress"/>, bodies of <see cref="GzipBodies.MinimumSize"/> or more are stored gzip-compressed.
    /// </remarks>
    public static StoredBody TargetGroups(IReadOnlyList<TargetItem> items, BodyCursor cursor, string job, string collector, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(cursor);
        if (items.Count == 0)
        {
            return StoredBody.Empty;
        }

        if (compress)
        {
            var json = new SpanWriter(t_buffer ??= new byte[64 * 1024], 0);
            WriteTargetGroups(ref json, items);
            var stored = json.Length >= GzipBodies.MinimumSize
                ? cursor.Copy(GzipBodies.Compress(json.Written), job, collector)
                : cursor.Copy(json.Written, job, collector);
            KeepBuffer(json.Buffer);
            return stored;
        }

        var window = cursor.Window(out var start);
        var writer = new SpanWriter(window, start);
        WriteTargetGroups(ref writer, items);
        if (ReferenceEquals(writer.Buffer, window))
        {
            return cursor.Commit(writer.Length, job, collector);
        }

        // Did not fit in the slab's free end: written in the thread's buffer instead, then stored from there.
        var body = cursor.Copy(writer.Written, job, collector);
        KeepBuffer(writer.Buffer);
        return body;
    }

    /// <summary>The same JSON as <see cref="TargetGroups(IReadOnlyList{TargetItem}, BodyCursor, string, string, bool)"/>, in an array of its own.</summary>
    public static byte[] TargetGroups(IReadOnlyList<TargetItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return ServingSnapshot.EmptyTargets;
        }

        var writer = new SpanWriter(new byte[4096], 0);
        WriteTargetGroups(ref writer, items);
        return writer.Written.ToArray();
    }

    private static void WriteTargetGroups(ref SpanWriter writer, IReadOnlyList<TargetItem> items)
    {
        // One capacity check per string, no interface call per byte run: the bodies of a full pass are most of its work.
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
    }

    /// <summary>Keeps a grown spill buffer for the thread's next body, unless it grew very large.</summary>
    private static void KeepBuffer(byte[] buffer)
    {
        if (buffer.Length <= MaxRetainedBuffer && (t_buffer is null || buffer.Length > t_buffer.Length))
        {
            t_buffer = buffer;
        }
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
    public static byte[] CollectorMap(string job, IReadOnlyList<string> sortedCollectors, Func<string, ReadOnlyMemory<byte>> targetsOf)
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
            var targets = targetsOf(collector).Span;

            // Stored arrays end in a newline; embedded here without it.
            GoJson.WriteRaw(buffer, targets[..^1]);
            GoJson.WriteByte(buffer, (byte)'}');
        }

        GoJson.WriteRaw(buffer, "}\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Appends to a byte array from an offset; when a write might not fit, moves what was written to the thread's spill
    /// buffer (or a larger one) and goes on there.
    /// </summary>
    private ref struct SpanWriter(byte[] buffer, int start)
    {
        private int _start = start;

        public byte[] Buffer { get; private set; } = buffer;

        public int Length { get; private set; }

        public readonly ReadOnlySpan<byte> Written => Buffer.AsSpan(_start, Length);

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(Buffer.AsSpan(_start + Length));
            Length += bytes.Length;
        }

        public void String(string value)
        {
            Ensure(GoJson.MaxStringBytes(value));
            Length += GoJson.WriteString(Buffer.AsSpan(_start + Length), value);
        }

        private void Ensure(int count)
        {
            if (Buffer.Length - _start - Length < count)
            {
                var spill = t_buffer;
                var needed = Length + count;
                if (spill is null || ReferenceEquals(spill, Buffer) || spill.Length < needed)
                {
                    spill = new byte[Math.Max(Math.Max(64 * 1024, needed), (Buffer.Length - _start) * 2)];
                }

                Written.CopyTo(spill);
                Buffer = spill;
                _start = 0;
            }
        }
    }
}
