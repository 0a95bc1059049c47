using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace Quartermaster.Core.Serving;

/// <summary>
/// Gzip versions of served bodies: made on first request and kept as long as the body itself is served, or, with
/// <c>http_server.compress_stored_bodies</c>, the only form a target body is stored in.
/// </summary>
/// <remarks>
/// Bodies are immutable and survive from snapshot to snapshot while their content is unchanged, so a compressed copy
/// kept with the body (<see cref="StoredBody.Gzip"/>, or keyed by an array's identity here) is made once per change,
/// never per request. A stored body is told apart by gzip's magic bytes (<see cref="IsGzip"/>).
/// </remarks>
public static class GzipBodies
{
    /// <summary>Bodies smaller than this are sent as they are; gzip would not pay for its header.</summary>
    public const int MinimumSize = 1024;

    private static readonly ConditionalWeakTable<byte[], byte[]> Cache = [];

    [ThreadStatic]
    private static MemoryStream? t_output;

    /// <summary>The gzip form of <paramref name="body"/>: itself when it is stored compressed, else made once and kept.</summary>
    public static byte[] Get(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return IsGzip(body) ? body : Cache.GetValue(body, static b => CompressToStored(b));
    }

    /// <summary>
    /// Whether <paramref name="body"/> is gzip-compressed: it starts with gzip's magic bytes, which no JSON body can
    /// (JSON starts with <c>[</c> or <c>{</c>).
    /// </summary>
    public static bool IsGzip(ReadOnlySpan<byte> body) => body.Length >= 2 && body[0] == 0x1f && body[1] == 0x8b;

    /// <summary>The decompressed bytes of a gzip body.</summary>
    public static byte[] Decompress(ReadOnlyMemory<byte> gzip)
    {
        var input = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(gzip, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(gzip.ToArray(), writable: false);
        using (input)
        using (var decompressor = new GZipStream(input, CompressionMode.Decompress))
        using (var output = new MemoryStream(gzip.Length * 4))
        {
            decompressor.CopyTo(output);
            return output.ToArray();
        }
    }

    /// <summary>
    /// <paramref name="body"/> gzip-compressed into the thread's reused buffer: valid until the thread's next call.
    /// </summary>
    public static ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> body)
    {
        var output = t_output ??= new MemoryStream(64 * 1024);
        output.SetLength(0);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        var compressed = output.GetBuffer().AsSpan(0, (int)output.Length);
        if (output.Capacity > 16 * 1024 * 1024)
        {
            t_output = null;
        }

        return compressed;
    }

    /// <summary>
    /// <paramref name="body"/> compressed into a new array on the pinned object heap (a stored body lives until its
    /// target list changes); the compressor's output buffer is reused per thread.
    /// </summary>
    public static byte[] CompressToStored(ReadOnlySpan<byte> body)
    {
        var compressed = Compress(body);
        var result = GC.AllocateUninitializedArray<byte>(compressed.Length, pinned: true);
        compressed.CopyTo(result);
        return result;
    }
}
