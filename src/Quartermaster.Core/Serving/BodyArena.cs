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
/// and, after each change, moves the live bodies out of the sparsest slabs (<see cref="TakeSparseSlabs"/>), paid for
/// by the bytes the changes wrote and released: slab bytes are brought back within a quarter of the live bytes plus a
/// few slabs, and no change pays for more than a bounded amount of moving. A slab given up that way is freed by the garbage
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

    /// <summary>Moving starts once this much credit has accrued (see <see cref="TakeSparseSlabs"/>).</summary>
    private const long MinMovePerCall = 1024 * 1024;

    /// <summary>Live bytes moved at most per change, so one change never pays for a long history of churn.</summary>
    private const long MaxMovePerCall = 32 * 1024 * 1024;

    private readonly object _lock = new();
    private readonly HashSet<BodySlab> _slabs = [];
    private readonly List<BodySlab> _open = [];
    private readonly List<BodySlab> _emptied = [];
    private long _liveBytes;
    private long _ownArrayBytes;
    private long _churn;
    private long _credit;
    private long _garbage;

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

    /// <summary>Bytes of served bodies with an array of their own (larger than <see cref="MaxSlabBody"/>).</summary>
    public long OwnArrayBytes => Interlocked.Read(ref _ownArrayBytes);

    /// <summary>
    /// Bytes made unreachable for the newest snapshot since the last <see cref="TakeCollectionHint"/>: released bodies
    /// with arrays of their own, their gzip copies, and given-up slabs. The runtime frees them only in a full
    /// collection.
    /// </summary>
    public long GarbageBytes => Interlocked.Read(ref _garbage);

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
        Interlocked.Add(ref _garbage, body.GzipCopyLength);
        body.DropGzipCopy();
        if (body.Slab is null)
        {
            Interlocked.Add(ref _ownArrayBytes, -body.Length);
            Interlocked.Add(ref _garbage, body.Length);
        }
        else if (body.Slab is { Retired: false } slab)
        {
            slab.Live -= body.Length;
            AddLive(-body.Length);
            _churn += body.Length;
            if (slab.Live == 0)
            {
                _emptied.Add(slab);
            }
        }
    }

    /// <summary>
    /// Gives up slabs whose bodies were all released, and, while holes exceed a quarter of the live bytes plus four
    /// slabs, the sparsest slabs under 80 % live: the caller copies their live bodies (released flag unset) elsewhere
    /// and serves the copies.
    /// </summary>
    /// <remarks>
    /// Moving is paid for by churn: every byte written or released since the last call earns four bytes of moving
    /// (a slab 80 % live costs four bytes moved per byte reclaimed), spent once a MiB has accrued so that small changes
    /// do not each sort the slabs, and at most <see cref="MaxMovePerCall"/> per call.
    /// </remarks>
    internal IReadOnlyList<BodySlab> TakeSparseSlabs(long written)
    {
        lock (_lock)
        {
            List<BodySlab>? taken = null;
            foreach (var slab in _emptied)
            {
                if (!slab.Retired && slab.Live == 0 && _slabs.Contains(slab))
                {
                    Retire(slab);
                    (taken ??= []).Add(slab);
                }
            }

            _emptied.Clear();
            var live = LiveBytes;
            var holes = ((long)_slabs.Count * SlabSize) - live;
            var allowed = (live / 4) + (4L * SlabSize);
            var churn = written + _churn;
            _churn = 0;
            if (holes <= allowed)
            {
                _credit = 0;
            }
            else
            {
                _credit = Math.Min(_credit + (4 * churn), MaxMovePerCall);
                if (_credit >= MinMovePerCall)
                {
                    foreach (var slab in _slabs.Where(s => s.Live * 5 < s.Array.Length * 4L).OrderBy(s => s.Live).ToList())
                    {
                        if (_credit < slab.Live || holes <= allowed)
                        {
                            break;
                        }

                        _credit -= slab.Live;
                        holes -= slab.Array.Length - slab.Live;
                        allowed -= slab.Live / 4;
                        Retire(slab);
                        (taken ??= []).Add(slab);
                    }
                }
            }

            if (taken is null)
            {
                return [];
            }

            _open.RemoveAll(s => s.Retired);
            return taken;
        }
    }

    internal void AddLive(long bytes) => Interlocked.Add(ref _liveBytes, bytes);

    /// <summary>
    /// Whether enough body memory became garbage to ask the runtime for a full collection now: more than
    /// <paramref name="minimum"/> bytes and more than half of what is served. Resets the count when it answers yes.
    /// </summary>
    /// <remarks>
    /// Replaced slabs, large bodies and gzip copies live on the large and pinned object heaps, which only a full
    /// collection frees; under steady churn the runtime's own schedule let them pile up to twice the served bytes.
    /// </remarks>
    internal bool TakeCollectionHint(long minimum)
    {
        var garbage = GarbageBytes;
        if (garbage < minimum || garbage * 2 < LiveBytes + OwnArrayBytes)
        {
            return false;
        }

        Interlocked.Add(ref _garbage, -garbage);
        return true;
    }

    internal void AddOwnArray(long bytes) => Interlocked.Add(ref _ownArrayBytes, bytes);

    private void Retire(BodySlab slab)
    {
        Interlocked.Add(ref _garbage, slab.Array.Length);
        slab.Retired = true;
        _slabs.Remove(slab);
        AddLive(-slab.Live);
    }

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
