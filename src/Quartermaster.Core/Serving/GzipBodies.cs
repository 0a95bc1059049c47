using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace Quartermaster.Core.Serving;

/// <summary>
/// Gzip versions of served bodies, made on first request and kept as long as the body itself is served.
/// </summary>
/// <remarks>
/// Bodies are immutable arrays that survive from snapshot to snapshot while their content is unchanged, so the
/// compressed copy is keyed by the array's identity and collected together with it: compression happens once per
/// change, never per request.
/// </remarks>
public static class GzipBodies
{
    /// <summary>Bodies smaller than this are sent as they are; gzip would not pay for its header.</summary>
    public const int MinimumSize = 1024;

    private static readonly ConditionalWeakTable<byte[], byte[]> Cache = [];

    public static byte[] Get(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Cache.GetValue(body, Compress);
    }

    private static byte[] Compress(byte[] body)
    {
        using var output = new MemoryStream(body.Length / 4);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return output.ToArray();
    }
}
