namespace Quartermaster.Core.Serving;

/// <summary>
/// Writes bodies into slabs of a <see cref="BodyArena"/> for one thread: it holds one slab at a time, so writers on
/// other threads never share one. Dispose returns the slab (and what it counted) to the arena.
/// </summary>
public sealed class BodyCursor : IDisposable
{
    private readonly BodyArena _arena;
    private BodySlab? _slab;
    private long _live;

    internal BodyCursor(BodyArena arena) => _arena = arena;

    /// <summary>Bytes of the bodies written through this cursor.</summary>
    public long Written { get; private set; }

    /// <summary>
    /// The free end of the current slab, for writing a body in place; <see cref="Commit"/> stores what was written there.
    /// A body that does not fit is written elsewhere and stored with <see cref="Copy"/>.
    /// </summary>
    internal byte[] Window(out int start)
    {
        var slab = Slab(BodyArena.WindowMinimum);
        start = slab.Used;
        return slab.Array;
    }

    /// <summary>Stores the <paramref name="length"/> bytes written at the start of <see cref="Window"/>.</summary>
    internal StoredBody Commit(int length, string job, string collector)
    {
        var slab = _slab!;
        var body = new StoredBody(slab, slab.Array, slab.Used, length);
        slab.Used += length;
        return Track(slab, body, job, collector);
    }

    /// <summary>Stores a copy of <paramref name="bytes"/>: in a slab, or in an array of its own when large.</summary>
    public StoredBody Copy(ReadOnlySpan<byte> bytes, string job, string collector)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(collector);
        if (bytes.Length > _arena.MaxSlabBody)
        {
            Written += bytes.Length;

            // Large bodies live on the pinned heap, which the collector never compacts; freed with their last snapshot.
            var own = GC.AllocateUninitializedArray<byte>(bytes.Length, pinned: true);
            bytes.CopyTo(own);
            _arena.AddOwnArray(own.Length);
            return new StoredBody(own);
        }

        var slab = Slab(bytes.Length);
        bytes.CopyTo(slab.Array.AsSpan(slab.Used));
        var body = new StoredBody(slab, slab.Array, slab.Used, bytes.Length);
        slab.Used += bytes.Length;
        return Track(slab, body, job, collector);
    }

    public void Dispose()
    {
        if (_slab is not null)
        {
            _arena.Return(_slab);
            _slab = null;
        }

        _arena.AddLive(_live);
        _live = 0;
    }

    private StoredBody Track(BodySlab slab, StoredBody body, string job, string collector)
    {
        slab.Live += body.Length;
        slab.Bodies.Add((job, collector, body));
        _live += body.Length;
        Written += body.Length;
        return body;
    }

    private BodySlab Slab(int needed)
    {
        if (_slab is { } current && current.Free >= needed)
        {
            return current;
        }

        if (_slab is not null)
        {
            _arena.Return(_slab);
        }

        return _slab = _arena.Take(needed);
    }
}
