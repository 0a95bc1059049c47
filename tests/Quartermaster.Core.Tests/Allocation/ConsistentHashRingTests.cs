using System.Text;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Core.Tests.Allocation;

public sealed class ConsistentHashRingTests
{
    private static readonly string[] ThreeCollectors = ["collector-0", "collector-1", "collector-2"];

    [Fact]
    public void Constructor_Defaults_AreUpstreamParametersAndReleasedLibraryVersion()
    {
        var ring = new ConsistentHashRing(ThreeCollectors);

        Assert.Equal(RingVersion.V0_10_0, ring.Version);
        Assert.Equal(1061, ring.PartitionCount);
        Assert.Equal(5, ring.ReplicationFactor);
        Assert.Equal(1.1, ring.Load);
        Assert.Equal(389, ring.AverageLoad);
    }

    [Theory]
    [InlineData(RingVersion.V0_10_0)]
    [InlineData(RingVersion.V1_0_0)]
    public void Locate_NoMembers_ReturnsNull(RingVersion version)
    {
        var ring = new ConsistentHashRing([], version);

        Assert.Null(ring.Locate("10.0.0.1:9100"));
        Assert.Null(ring.Locate("10.0.0.1:9100"u8));
        Assert.Equal(-1, ring.LocateIndex("10.0.0.1:9100"));
        Assert.Null(ring.OwnerOfPartition(0));
        Assert.Empty(ring.Members);
        Assert.Empty(ring.Loads);
        Assert.Equal(0, ring.AverageLoad);
        Assert.Equal(26, ring.PartitionOf("10.0.0.1:9100"));
    }

    [Fact]
    public void Constructor_DuplicateMembers_AreCountedOnce()
    {
        var ring = new ConsistentHashRing(["collector-2", "collector-0", "collector-2", "collector-1", "collector-0"], RingVersion.V1_0_0);

        Assert.Equal(ThreeCollectors, ring.Members);
        Assert.Equal(390, ring.AverageLoad);
        Assert.Equal(new[] { 281, 390, 390 }, ring.Members.Select(m => ring.Loads[m]));
    }

    [Fact]
    public void Constructor_NullMember_Throws() =>
        Assert.Throws<ArgumentException>(() => new ConsistentHashRing(["a", null!], RingVersion.V1_0_0));

    [Theory]
    [InlineData(0, 5, 1.1)]
    [InlineData(1061, 0, 1.1)]
    [InlineData(1061, 5, 0)]
    [InlineData(1061, 5, double.NaN)]
    public void Constructor_InvalidParameters_Throw(int partitions, int replicas, double load) =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ConsistentHashRing(ThreeCollectors, RingVersion.V1_0_0, partitions, replicas, load));

    [Fact]
    public void OwnerOfPartition_OutOfRange_Throws()
    {
        var ring = new ConsistentHashRing(ThreeCollectors);

        Assert.Throws<ArgumentOutOfRangeException>(() => ring.OwnerOfPartition(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.OwnerOfPartition(1061));
    }

    // Upstream quirk: v0.10.0 computes 1061 / members with integer division, so with more members than partitions the
    // capacity is 0 and the library panics; v1.0.0 gives every member a capacity of at least 1.
    [Fact]
    public void Constructor_MoreMembersThanPartitionsV0_10_0_ThrowsLikeUpstreamPanic()
    {
        var members = Enumerable.Range(0, 1062).Select(i => $"collector-{i}").ToList();

        Assert.Throws<InvalidOperationException>(() => new ConsistentHashRing(members, RingVersion.V0_10_0));
        var ring = new ConsistentHashRing(members, RingVersion.V1_0_0);
        Assert.Equal(2, ring.AverageLoad);
        Assert.Equal(1061, ring.Loads.Values.Sum());
    }

    // Upstream quirk: v0.10.0 stops one ring position early, so a single virtual node can never take a partition.
    [Fact]
    public void Constructor_SingleRingPositionV0_10_0_ThrowsLikeUpstreamPanic()
    {
        Assert.Throws<InvalidOperationException>(() =>
            new ConsistentHashRing(["only"], RingVersion.V0_10_0, partitionCount: 7, replicationFactor: 1, load: 1.1));
        var ring = new ConsistentHashRing(["only"], RingVersion.V1_0_0, partitionCount: 7, replicationFactor: 1, load: 1.1);
        Assert.All(Enumerable.Range(0, 7), p => Assert.Equal("only", ring.OwnerOfPartition(p)));
    }

    [Theory]
    [InlineData(300)]
    [InlineData(5000)]
    public void Locate_KeyLongerThanStackBuffer_MatchesUtf8Bytes(int length)
    {
        var key = string.Concat(Enumerable.Repeat("é✓x", length / 3));
        var ring = new ConsistentHashRing(ThreeCollectors);
        var bytes = Encoding.UTF8.GetBytes(key);

        Assert.Equal(ConsistentHashRing.Hash(bytes), ConsistentHashRing.Hash(key));
        Assert.Equal(ring.Locate(bytes), ring.Locate(key));
        Assert.Equal(ring.PartitionOf(bytes), ring.PartitionOf(key));
    }

    [Fact]
    public void Locate_WarmRing_AllocatesNothing()
    {
        var ring = new ConsistentHashRing(Enumerable.Range(0, 100).Select(i => $"collector-{i}"));
        var keys = Enumerable.Range(0, 1000).Select(i => $"10.{i % 256}.{i / 256}.7:{9000 + i}").ToArray();
        keys[0] = new string('k', 1000);
        foreach (var key in keys)
        {
            ring.Locate(key);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = 0;
        foreach (var key in keys)
        {
            found += ring.Locate(key) is null ? 0 : 1;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(keys.Length, found);
        Assert.Equal(0, allocated);
    }

    // go-baseline.md §1: with the real v1.0.0 library, going from 100 to 101 collectors changes 18 of the 1,061 partition
    // owners, 12 of them to the new collector and 6 between existing ones.
    [Fact]
    public void AddMember_HundredToHundredAndOneV1_MovesEighteenPartitionsAsUpstream()
    {
        var hundred = Enumerable.Range(0, 100).Select(i => $"collector-{i}").ToList();
        var before = new ConsistentHashRing(hundred, RingVersion.V1_0_0);
        var after = new ConsistentHashRing([.. hundred, "collector-100"], RingVersion.V1_0_0);

        var changed = Enumerable.Range(0, 1061).Where(p => before.OwnerOfPartition(p) != after.OwnerOfPartition(p)).ToList();
        Assert.Equal(18, changed.Count);
        Assert.Equal(12, changed.Count(p => after.OwnerOfPartition(p) == "collector-100"));
    }
}
