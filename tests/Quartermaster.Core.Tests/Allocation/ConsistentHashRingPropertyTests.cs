using CsCheck;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Core.Tests.Allocation;

public sealed class ConsistentHashRingPropertyTests
{
    private static readonly Gen<RingVersion> Version = Gen.Enum<RingVersion>();

    // Multi-byte characters exercise the UTF-8 replica keys; no lone surrogates, so distinct names never share bytes.
    private static readonly Gen<string> Name = Gen.Char["abcxyz-.0123456789é✓"].Array[1, 14].Select(c => new string(c));

    private static readonly Gen<string[]> MemberSet = Name.HashSet[1, 64].Select(s => s.ToArray());

    [Fact]
    public void OwnerTable_AnyMemberSet_MatchesNaiveReferenceModel() =>
        Gen.Select(MemberSet, Version).Sample((members, version) =>
            Assert.Equal(ReferenceRing.OwnerTable(members, version), OwnerTable(new ConsistentHashRing(members, version))),
            iter: 150);

    [Fact]
    public void OwnerTable_ShuffledOrDuplicatedMembers_Unchanged() =>
        Gen.Select(MemberSet, Version, Gen.Int).Sample((members, version, seed) =>
        {
            var expected = OwnerTable(new ConsistentHashRing(members, version));
            var permuted = members.Concat(members.Take(seed & 7)).ToArray();
            new Random(seed).Shuffle(permuted);
            var ring = new ConsistentHashRing(permuted, version);
            Assert.Equal(expected, OwnerTable(ring));
            Assert.Equal(members.Length, ring.Members.Count);
        }, iter: 150);

    [Fact]
    public void Loads_AnyMemberSet_EveryPartitionOwnedAndNoMemberAboveAverageLoad() =>
        Gen.Select(MemberSet, Version).Sample((members, version) =>
        {
            var ring = new ConsistentHashRing(members, version);
            var counted = ring.Members.ToDictionary(m => m, _ => 0, StringComparer.Ordinal);
            for (var p = 0; p < ring.PartitionCount; p++)
            {
                var owner = ring.OwnerOfPartition(p);
                Assert.NotNull(owner);
                counted[owner]++;
            }

            Assert.Equal(counted.OrderBy(c => c.Key, StringComparer.Ordinal), ring.Loads.OrderBy(l => l.Key, StringComparer.Ordinal));
            Assert.Equal(ring.PartitionCount, ring.Loads.Values.Sum());
            Assert.All(ring.Loads.Values, load => Assert.True(load <= ring.AverageLoad, $"{load} > {ring.AverageLoad}"));
        }, iter: 150);

    [Fact]
    public void Locate_AnyKey_IsOwnerOfItsPartition() =>
        Gen.Select(MemberSet, Version, Gen.String[0, 400]).Sample((members, version, key) =>
        {
            var ring = new ConsistentHashRing(members, version);
            var partition = ring.PartitionOf(key);
            Assert.InRange(partition, 0, ring.PartitionCount - 1);
            Assert.Equal(ring.OwnerOfPartition(partition), ring.Locate(key));
            Assert.Equal(ring.Locate(key), ring.Locate(System.Text.Encoding.UTF8.GetBytes(key)));
            Assert.Equal(ring.Locate(key), ring.Members[ring.LocateIndex(key)]);
        }, iter: 150);

    // The bounded-load ring does NOT guarantee minimal movement. A member's removal changes the capacity bound
    // (AverageLoad), and the walk then re-deals partitions that never belonged to the removed member. Measured over
    // 12,000 seeded samples of 2..259 members, the share of partitions that moved although the removed member did not
    // own them peaked at 24.98 % (v0.10.0, 213 members, where integer division bumps the capacity from 5 to 6) and
    // 19.13 % (v1.0.0); on average the total movement was 2.7-3.5x the ideal 1/n. Only the generous bound below is asserted.
    [Fact]
    public void Remove_OneMember_MovesItsPartitionsAndBoundedShareOfOthers() =>
        Gen.Select(MemberSet.Where(m => m.Length >= 2), Version, Gen.Int.NonNegative).Sample((members, version, pick) =>
        {
            var removed = members[pick % members.Length];
            var before = new ConsistentHashRing(members, version);
            var after = new ConsistentHashRing(members.Where(m => m != removed), version);

            var movedOthers = 0;
            for (var p = 0; p < before.PartitionCount; p++)
            {
                var previous = before.OwnerOfPartition(p);
                var current = after.OwnerOfPartition(p);
                Assert.NotEqual(removed, current);
                if (previous != removed && previous != current)
                {
                    movedOthers++;
                }
            }

            Assert.DoesNotContain(removed, after.Members);
            Assert.True(movedOthers <= before.PartitionCount * 0.35, $"{movedOthers} partitions of other members moved");
        }, iter: 150);

    private static string?[] OwnerTable(ConsistentHashRing ring) =>
        [.. Enumerable.Range(0, ring.PartitionCount).Select(ring.OwnerOfPartition)];
}
