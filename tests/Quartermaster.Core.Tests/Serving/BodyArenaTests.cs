using Quartermaster.Core.Labels;
using Quartermaster.Core.Serving;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Serving;

public class BodyArenaTests
{
    private const int Slab = 64 * 1024;

    /// <summary>About <paramref name="slabs"/> slabs' worth of 1 KiB bodies (60 per slab).</summary>
    private static List<StoredBody> KibibyteBodies(BodyArena arena, int slabs)
    {
        using var cursor = arena.OpenCursor();
        return [.. Enumerable.Range(0, slabs * 60).Select(i => cursor.Copy(Bytes(1024, i), "job", "c" + i))];
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = (byte)'[';
        return bytes;
    }

    [Fact]
    public void Bodies_ShareSlabs_AndKeepTheirBytes()
    {
        var arena = new BodyArena(Slab);
        var sources = Enumerable.Range(0, 300).Select(i => Bytes(100 + (i * 37 % 5000), i)).ToList();
        List<StoredBody> bodies;
        using (var cursor = arena.OpenCursor())
        {
            bodies = [.. sources.Select((b, i) => cursor.Copy(b, "job", "c" + i))];
        }

        for (var i = 0; i < sources.Count; i++)
        {
            Assert.True(bodies[i].Span.SequenceEqual(sources[i]), $"body {i}");
        }

        var total = sources.Sum(b => (long)b.Length);
        Assert.Equal(total, arena.LiveBytes);

        // Tails shorter than a window are left unused, so slabs are at least (size - 4 KiB) full.
        Assert.InRange(arena.SlabCount, (int)(total / Slab) + 1, (int)(total / (Slab - (4 * 1024))) + 1);
        Assert.All(bodies, b => Assert.NotNull(b.Slab));
    }

    [Fact]
    public void LargeBody_GetsAnArrayOfItsOwn_AndIsNotCounted()
    {
        var arena = new BodyArena(Slab);
        var large = Bytes(arena.MaxSlabBody + 1, 1);
        using var cursor = arena.OpenCursor();

        var body = cursor.Copy(large, "job", "c");

        Assert.Null(body.Slab);
        Assert.True(body.Span.SequenceEqual(large));
        Assert.Equal(0, arena.SlabCount);
    }

    [Fact]
    public void Release_LeavesAHole_OnceOnly()
    {
        var arena = new BodyArena(Slab);
        StoredBody a, b;
        using (var cursor = arena.OpenCursor())
        {
            a = cursor.Copy(Bytes(1000, 1), "job", "a");
            b = cursor.Copy(Bytes(500, 2), "job", "b");
        }

        arena.Release(a);
        arena.Release(a);

        Assert.Equal(500, arena.LiveBytes);
        Assert.True(a.Released);
        Assert.False(b.Released);
    }

    [Fact]
    public void TakeSparseSlabs_GivesUpEmptiedSlabs_ThenMovesTheSparsestUntilHolesAreBounded()
    {
        var arena = new BodyArena(Slab);
        var bodies = KibibyteBodies(arena, slabs: 40);
        var slabs = arena.SlabCount;
        Assert.Empty(arena.TakeSparseSlabs(written: 0));

        // Every body of the first ten slabs released: those slabs are given up, nothing is moved.
        var bySlab = bodies.GroupBy(b => b.Slab!).ToList();
        foreach (var body in bySlab.Take(10).SelectMany(g => g))
        {
            arena.Release(body);
        }

        var emptied = arena.TakeSparseSlabs(written: 0);
        Assert.Equal(10, emptied.Count);
        Assert.All(emptied, s => Assert.True(s.Retired && s.Live == 0));
        Assert.Equal(slabs - 10, arena.SlabCount);

        // Every other body of the rest released: holes pass a quarter of the live bytes, and the release pays for
        // moving the sparsest slabs until they are back under it.
        foreach (var body in bySlab.Skip(10).SelectMany(g => g).Where((_, i) => i % 2 == 0))
        {
            arena.Release(body);
        }

        var live = arena.LiveBytes;
        Assert.True(arena.SlabBytes - live > (live / 4) + (4L * Slab));
        var moved = arena.TakeSparseSlabs(written: 0);

        Assert.NotEmpty(moved);
        Assert.Equal(live - moved.Sum(s => s.Live), arena.LiveBytes);
        Assert.True(arena.SlabBytes - arena.LiveBytes <= (arena.LiveBytes / 4) + (4L * Slab) + Slab);
        Assert.Empty(arena.TakeSparseSlabs(written: 0));
    }

    [Fact]
    public void TakeSparseSlabs_SmallChurn_WaitsUntilAMebibyteOfMovingIsPaidFor()
    {
        var arena = new BodyArena(Slab);
        var bodies = KibibyteBodies(arena, slabs: 20);

        // Holes well past the bound but created without churn credit: a 1 KiB change alone moves nothing.
        foreach (var body in bodies.Where((_, i) => i % 3 != 0))
        {
            body.Released = true;
        }

        foreach (var slab in bodies.Select(b => b.Slab!).Distinct())
        {
            slab.Live = slab.Bodies.Count(b => !b.Body.Released) * 1024L;
        }

        arena.AddLive((bodies.Count(b => !b.Released) * 1024L) - arena.LiveBytes);
        Assert.Empty(arena.TakeSparseSlabs(written: 1024));
        Assert.NotEmpty(arena.TakeSparseSlabs(written: 256 * 1024));
    }

    [Fact]
    public void CollectionHint_CountsReleasedOwnArraysGzipCopiesAndGivenUpSlabs_OncePastHalfOfWhatIsServed()
    {
        var arena = new BodyArena(Slab);
        StoredBody large, small;
        List<StoredBody> filler;
        using (var cursor = arena.OpenCursor())
        {
            large = cursor.Copy(Bytes(arena.MaxSlabBody * 4, 1), "job", "large");
            small = cursor.Copy(Bytes(2000, 2), "job", "small");
        }

        filler = KibibyteBodies(arena, slabs: 2);
        Assert.Equal(arena.MaxSlabBody * 4, arena.OwnArrayBytes);
        var gzipLength = small.Gzip.Length;

        // A copy made by compaction takes the gzip copy over instead of compressing again.
        var moved = new StoredBody(small.Span.ToArray());
        moved.AdoptGzipCopy(small);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(small.Gzip, out var original));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(moved.Gzip, out var adopted));
        Assert.Same(original.Array, adopted.Array);

        // Releasing the large body and the gzip copy of the small one: garbage, but less than half of what is served.
        // The released body lets go of its gzip copy (its slab still lists the body).
        arena.Release(large);
        arena.Release(small);
        Assert.Equal(0, arena.OwnArrayBytes);
        Assert.Equal((arena.MaxSlabBody * 4) + gzipLength, arena.GarbageBytes);
        Assert.Equal(0, small.GzipCopyLength);
        Assert.False(arena.TakeCollectionHint(minimum: 0));

        // Every filler body released and its slabs given up: now more than half, and the count starts again.
        foreach (var body in filler)
        {
            arena.Release(body);
        }

        Assert.NotEmpty(arena.TakeSparseSlabs(written: 0));
        Assert.False(arena.TakeCollectionHint(minimum: long.MaxValue));
        Assert.True(arena.TakeCollectionHint(minimum: 0));
        Assert.Equal(0, arena.GarbageBytes);
    }

    [Fact]
    public void TargetGroups_WrittenInPlace_MatchTheArrayForm_AcrossSlabBoundaries()
    {
        var arena = new BodyArena(Slab);
        var random = new Random(7);
        using var cursor = arena.OpenCursor();
        for (var i = 0; i < 400; i++)
        {
            // From a few bytes to past the slab-body limit, so bodies spill and some get arrays of their own.
            var items = Enumerable.Range(0, random.Next(1, 40)).Select(t => Item(t, random.Next(0, 400))).ToArray();
            var body = ResponseWriter.TargetGroups(items, cursor, "job", "c" + i);

            Assert.True(body.Span.SequenceEqual(ResponseWriter.TargetGroups(items)), $"body {i}");
        }
    }

    private static TargetItem Item(int index, int padding)
    {
        var address = $"10.0.{index / 250}.{index % 250}:9100";
        return new TargetItem("job", address, [new Label("__address__", address), new Label("pod", new string('p', padding) + "é\"")], (ulong)index);
    }
}
