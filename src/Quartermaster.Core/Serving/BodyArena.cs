namespace Quartermaster.Core.Serving;

/// <summary>
/// Where target bodies are stored: slabs of a few hundred KiB, each holding many bodies back to back, written through
/// one <see cref="BodyCursor"/> per thread.
/// </summary>
/// <remarks>
/// <para>
/// A full pass writes hundreds of thousands of bodies. One array each costs an allocation (a lock on the pinned
/// heap), a copy out of the writing buffer, and fresh memory; a slab takes a body in place, and its memory is reused
/// across passes while live bodies remain in it.
/// </para>
/// <para>
/// A body replaced by a change leaves a hole in its slab. The pipeline releases such bodies (<see cref="Release"/>)
/// and, after each change, moves the live bodies out of the sparsest slabs (<see cref="TakeSparseSlabs"/>), with a
/// budget proportional to what the change wrote: slab bytes stay within a quarter of the live bytes plus a few slabs,
/// and no change pays for more than a bounded share of earlier churn. A slab given up that way is freed by the garbage
/// collector once no snapshot still serving from it is referenced.
/// </para>
/// <para>Not thread-safe except where noted: the pipeline thread releases and compacts after its writers are done.</para>
/// </remarks>
public sealed class BodyArena
{
    /// <summary>Slab size when none is given.</summary>
    public const int DefaultSlabSize = 256 * 1024;

    /// <summary>Free bytes a slab needs to be written in place; smaller tails are left unused.</summary>
    internal const int WindowMinimum = 4 * 1024;

    private const int MaxOpenSlabs = 64;

    private readonly object _lock = new();
    private readonly HashSet<BodySlab> _slabs = [];
    private readonly List<BodySlab> _open = [];
    private long _liveBytes;

    public BodyArena(int slabSize = DefaultSlabSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slabSize, 4 * WindowMinimum);
        SlabSize = slabSize;
    }

    public int SlabSize { get; }

    /// <summary>Larger bodies get an array of their own.</summary>
    public int MaxSlabBody => SlabSize / 8;

    /// <summary>Slabs in use.</summary>
    public int SlabCount
    {
        get
        {
            lock (_lock)
            {
                return _slabs.Count;
            }
        }
    }

    /// <summary>Bytes of the slabs in use, holes included.</summary>
    public long SlabBytes => (long)SlabCount * SlabSize;

    /// <summary>Bytes of the bodies in slabs that the newest snapshot serves.</summary>
    public long LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>A writer for one thread; thread-safe.</summary>
    public BodyCursor OpenCursor() => new(this);

    /// <summary>Marks a body as no longer served by the newest snapshot: its bytes become a hole in its slab.</summary>
    public void Release(StoredBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Released)
        {
            return;
        }

        body.Released = true;
        if (body.Slab is { Retired: false } slab)
        {
            slab.Live -= body.Length;
            AddLive(-body.Length);
        }
    }

    /// <summary>
    /// Gives up the sparsest slabs while holes exceed a quarter of the live bytes (plus four slabs), moving at most
    /// about <paramref name="budget"/> live bytes; empty slabs are always given up. The caller copies the live bodies
    /// of the returned slabs (their released flag unset) elsewhere and serves the copies.
    /// </summary>
    internal IReadOnlyList<BodySlab> TakeSparseSlabs(long budget)
    {
        lock (_lock)
        {
            var live = LiveBytes;
            var holes = SlabBytes - live;
            var allowed = (live / 4) + (4L * SlabSize);
            List<BodySlab>? taken = null;
            foreach (var slab in _slabs)
            {
                if (slab.Live == 0 && slab.Used > 0)
                {
                    (taken ??= []).Add(slab);
                }
            }

            if (holes - ((taken?.Count ?? 0) * (long)SlabSize) > allowed && budget > 0)
            {
                var sparse = _slabs.Where(s => s.Live > 0 && s.Live * 2 < s.Array.Length).OrderBy(s => s.Live).ToList();
                var reclaimed = (taken?.Count ?? 0) * (long)SlabSize;
                foreach (var slab in sparse)
                {
                    if (budget <= 0 || holes - reclaimed <= allowed)
                    {
                        break;
                    }

                    (taken ??= []).Add(slab);
                    budget -= slab.Live;
                    reclaimed += slab.Array.Length - slab.Live;
                }
            }

            if (taken is null)
            {
                return [];
            }

            foreach (var slab in taken)
            {
                slab.Retired = true;
                _slabs.Remove(slab);
                AddLive(-slab.Live);
            }

            _open.RemoveAll(s => s.Retired);
            return taken;
        }
    }

    internal void AddLive(long bytes) => Interlocked.Add(ref _liveBytes, bytes);

    /// <summary>A slab with at least <paramref name="needed"/> free bytes, for one cursor's exclusive use.</summary>
    internal BodySlab Take(int needed)
    {
        lock (_lock)
        {
            for (var i = _open.Count - 1; i >= 0; i--)
            {
                var slab = _open[i];
                if (slab.Free >= needed)
                {
                    _open.RemoveAt(i);
                    return slab;
                }
            }

            var created = new BodySlab(Math.Max(SlabSize, needed));
            _slabs.Add(created);
            return created;
        }
    }

    /// <summary>Takes back a cursor's slab; kept for later writes while it has room.</summary>
    internal void Return(BodySlab slab)
    {
        lock (_lock)
        {
            if (slab.Retired || slab.Free < WindowMinimum)
            {
                return;
            }

            if (_open.Count >= MaxOpenSlabs)
            {
                // Too many partly filled slabs: forget the one with least room (its tail stays unused).
                var least = 0;
                for (var i = 1; i < _open.Count; i++)
                {
                    if (_open[i].Free < _open[least].Free)
                    {
                        least = i;
                    }
                }

                _open.RemoveAt(least);
            }

            _open.Add(slab);
        }
    }
}
