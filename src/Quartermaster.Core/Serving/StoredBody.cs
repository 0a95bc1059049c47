namespace Quartermaster.Core.Serving;

/// <summary>
/// One served <c>/jobs/{job}/targets?collector_id=</c> body: a slice of a slab shared with other bodies
/// (<see cref="BodyArena"/>), or an array of its own when large. JSON ending in a newline, or gzip when bodies are kept
/// compressed (<c>http_server.compress_stored_bodies</c>). Immutable for readers: its bytes never change once published.
/// </summary>
public sealed class StoredBody
{
    /// <summary><c>[]</c>: the body of a collector without targets in a job.</summary>
    public static readonly StoredBody Empty = new(ServingSnapshot.EmptyTargets);

    private readonly byte[] _array;
    private readonly int _offset;
    private byte[]? _gzip;

    /// <summary>A body that is a whole array of its own.</summary>
    public StoredBody(byte[] array)
        : this(null, array, 0, array?.Length ?? 0)
    {
    }

    internal StoredBody(BodySlab? slab, byte[] array, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(array);
        Slab = slab;
        _array = array;
        _offset = offset;
        Length = length;
    }

    /// <summary>Stored length in bytes (compressed when <see cref="IsGzip"/>).</summary>
    public int Length { get; }

    /// <summary>The bytes as stored.</summary>
    public ReadOnlyMemory<byte> Memory => new(_array, _offset, Length);

    /// <summary>The bytes as stored.</summary>
    public ReadOnlySpan<byte> Span => new(_array, _offset, Length);

    /// <summary>Whether the body is stored gzip-compressed (no JSON body starts with gzip's magic bytes).</summary>
    public bool IsGzip => GzipBodies.IsGzip(Span);

    /// <summary>The JSON: the stored bytes, or decompressed per call when stored compressed.</summary>
    public ReadOnlyMemory<byte> Plain => IsGzip ? GzipBodies.Decompress(Memory) : Memory;

    /// <summary>The gzip form: the stored bytes when stored compressed, else compressed on first use and kept.</summary>
    public ReadOnlyMemory<byte> Gzip
    {
        get
        {
            if (IsGzip)
            {
                return Memory;
            }

            // Two first requests may both compress; either result is the same bytes, and one is kept.
            return Volatile.Read(ref _gzip) ?? Interlocked.CompareExchange(ref _gzip, GzipBodies.CompressToStored(Span), null) ?? _gzip!;
        }
    }

    /// <summary>The slab holding the bytes; <c>null</c> for a body with an array of its own.</summary>
    internal BodySlab? Slab { get; }

    /// <summary>Length of the gzip copy made for gzip requests, 0 when none was made.</summary>
    internal int GzipCopyLength => Volatile.Read(ref _gzip)?.Length ?? 0;

    /// <summary>
    /// Forgets the gzip copy of a released body: its slab keeps the body object listed until the slab is given up,
    /// and must not keep the copy alive too. A reader of an older snapshot that asks again compresses again.
    /// </summary>
    internal void DropGzipCopy() => Volatile.Write(ref _gzip, null);

    /// <summary>Takes over the gzip copy of <paramref name="original"/>, whose bytes this body repeats (compaction).</summary>
    internal void AdoptGzipCopy(StoredBody original) => Volatile.Write(ref _gzip, Volatile.Read(ref original._gzip));

    /// <summary>Set by the pipeline when the body stops being served by the newest snapshot.</summary>
    internal bool Released { get; set; }

    /// <summary>A copy of the JSON.</summary>
    public byte[] ToPlainArray() => IsGzip ? GzipBodies.Decompress(Memory) : Span.ToArray();
}
