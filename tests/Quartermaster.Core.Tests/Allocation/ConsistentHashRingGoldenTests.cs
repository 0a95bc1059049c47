using System.Globalization;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Core.Tests.Allocation;

public sealed class ConsistentHashRingGoldenTests
{
    public static TheoryData<RingVersion, int> Cases
    {
        get
        {
            var data = new TheoryData<RingVersion, int>();
            foreach (var version in new[] { RingVersion.V0_10_0, RingVersion.V1_0_0 })
            {
                for (var i = 0; i < ConsistentHashGolden.CaseCount(version); i++)
                {
                    data.Add(version, i);
                }
            }

            return data;
        }
    }

    [Fact]
    public void Golden_HasThreeCasesPerVersionOverTwoThousandUrls()
    {
        Assert.Equal(3, ConsistentHashGolden.CaseCount(RingVersion.V0_10_0));
        Assert.Equal(3, ConsistentHashGolden.CaseCount(RingVersion.V1_0_0));
        Assert.Equal(2000, ConsistentHashGolden.Urls.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Locate_GoldenCase_MatchesEveryUpstreamAssignment(RingVersion version, int caseIndex)
    {
        var golden = ConsistentHashGolden.Case(version, caseIndex);
        var ring = new ConsistentHashRing(golden.Collectors, version);

        Assert.Equal(ConsistentHashGolden.Urls.Count, golden.Assignments.Count);
        var mismatches = golden.Assignments
            .Where(a => ring.Locate(a.Key) != a.Value)
            .Select(a => $"{a.Key}: expected {a.Value}, got {ring.Locate(a.Key)}")
            .ToList();
        Assert.Empty(mismatches);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OwnerOfPartition_GoldenCase_MatchesWholeUpstreamOwnerTable(RingVersion version, int caseIndex)
    {
        var golden = ConsistentHashGolden.Case(version, caseIndex);
        var ring = new ConsistentHashRing(golden.Collectors, version);

        Assert.Equal(ConsistentHashRing.DefaultPartitionCount, golden.PartitionOwners.Count);
        var owners = OwnerTable(ring);
        Assert.Equal<string?>(golden.PartitionOwners, owners);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loads_GoldenCase_MatchUpstreamLoadDistribution(RingVersion version, int caseIndex)
    {
        var golden = ConsistentHashGolden.Case(version, caseIndex);
        var ring = new ConsistentHashRing(golden.Collectors, version);

        // Upstream's LoadDistribution() omits members that own no partition; ours lists them with 0.
        var nonZero = ring.Loads.Where(l => l.Value > 0).ToDictionary(l => l.Key, l => (double)l.Value);
        Assert.Equal(golden.Loads.OrderBy(l => l.Key, StringComparer.Ordinal), nonZero.OrderBy(l => l.Key, StringComparer.Ordinal));
        Assert.Equal(golden.Collectors.Count, ring.Loads.Count);
        Assert.All(ring.Loads.Where(l => !golden.Loads.ContainsKey(l.Key)), l => Assert.Equal(0, l.Value));
        Assert.Equal(golden.AverageLoad, ring.AverageLoad);
    }

    [Fact]
    public void Ring_HundredAndOneCollectorsV1_CollectorSixtyNineOwnsNothing()
    {
        var golden = ConsistentHashGolden.Case(RingVersion.V1_0_0, 2);
        var ring = new ConsistentHashRing(golden.Collectors, RingVersion.V1_0_0);

        Assert.Equal(101, ring.Members.Count);
        Assert.Equal(0, ring.Loads["collector-69"]);
        Assert.DoesNotContain("collector-69", golden.Assignments.Values);
    }

    [Fact]
    public void Hash_XxhashChecks_MatchUpstream()
    {
        var checks = ConsistentHashGolden.Root.GetProperty("xxhashChecks").EnumerateObject().ToList();
        Assert.NotEmpty(checks);
        foreach (var check in checks)
        {
            var expected = ulong.Parse(check.Value.GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal(expected, ConsistentHashRing.Hash(check.Name));
            Assert.Equal(expected, ConsistentHashRing.Hash(System.Text.Encoding.UTF8.GetBytes(check.Name)));
        }
    }

    [Fact]
    public void Hash_PartitionKeyHashChecks_MatchUpstream()
    {
        var element = ConsistentHashGolden.Root.GetProperty("partitionKeyHashChecks");
        var ids = element.GetProperty("partIds").EnumerateArray().Select(e => e.GetUInt64()).ToList();
        var hashes = element.GetProperty("xxhash64").EnumerateArray()
            .Select(e => ulong.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Count, hashes.Count);
        Assert.NotEmpty(ids);
        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal(hashes[i], ConsistentHashRing.Hash(BitConverter.IsLittleEndian
                ? BitConverter.GetBytes(ids[i])
                : [.. BitConverter.GetBytes(ids[i]).Reverse()]));
        }
    }

    [Fact]
    public void OwnerTable_MemberOrderChecks_IndependentOfOrderAsUpstream()
    {
        var checks = ConsistentHashGolden.Root.GetProperty("memberOrderChecks").EnumerateArray().ToList();
        Assert.NotEmpty(checks);
        var random = new Random(20240601);
        foreach (var check in checks)
        {
            var count = check.GetProperty("collectors").GetInt32();
            foreach (var flag in new[] { "reversed_same", "shuffled_20x_same", "lexicographic_same", "incremental_add_reverse_same" })
            {
                Assert.True(check.GetProperty(flag).GetBoolean(), flag);
            }

            var names = Enumerable.Range(0, count).Select(i => $"collector-{i}").ToArray();
            foreach (var version in new[] { RingVersion.V0_10_0, RingVersion.V1_0_0 })
            {
                var expected = OwnerTable(new ConsistentHashRing(names, version));
                Assert.Equal(expected, OwnerTable(new ConsistentHashRing(names.Reverse(), version)));
                Assert.Equal(expected, OwnerTable(new ConsistentHashRing(names.Order(StringComparer.Ordinal), version)));
                for (var s = 0; s < 20; s++)
                {
                    var shuffled = (string[])names.Clone();
                    random.Shuffle(shuffled);
                    Assert.Equal(expected, OwnerTable(new ConsistentHashRing(shuffled, version)));
                }
            }
        }
    }

    // Upstream-ta.md §4.2 [derived] vectors, confirmed by the Go library in golden.json's crossCheckOfUpstreamTaMdVectors.
    [Theory]
    [InlineData(RingVersion.V1_0_0, new[] { 2, 2, 2, 0, 0, 1, 1, 0 }, new[] { 281, 390, 390 }, new[] { 1, 2, 0, 2, 2, 2, 2, 1, 1, 2 })]
    [InlineData(RingVersion.V0_10_0, new[] { 1, 2, 2, 0, 1, 1, 1, 1 }, new[] { 327, 389, 345 }, new[] { 0, 2, 2, 2, 0, 2, 2, 1, 2, 2 })]
    public void Locate_SpecVectors_MatchUpstream(RingVersion version, int[] assignments, int[] loads, int[] firstOwners)
    {
        var ring = new ConsistentHashRing(["collector-0", "collector-1", "collector-2"], version);

        var located = Enumerable.Range(1, 8).Select(i => ring.Locate($"10.0.0.{i}:9100")).ToArray();
        Assert.Equal(assignments.Select(i => $"collector-{i}"), located);
        Assert.Equal(loads, ring.Members.Select(m => ring.Loads[m]));
        Assert.Equal(firstOwners.Select(i => $"collector-{i}"), Enumerable.Range(0, 10).Select(ring.OwnerOfPartition));
    }

    [Fact]
    public void Locate_SpecVectors_AgreeWithGoldenCrossCheck()
    {
        var cross = ConsistentHashGolden.Root.GetProperty("crossCheckOfUpstreamTaMdVectors");
        foreach (var (version, prefix) in new[] { (RingVersion.V0_10_0, "v0_10_0"), (RingVersion.V1_0_0, "v1_0_0") })
        {
            var ring = new ConsistentHashRing(["collector-0", "collector-1", "collector-2"], version);
            var expected = cross.GetProperty(prefix + "_assignments").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Equal(expected, Enumerable.Range(1, 8).Select(i => ring.Locate($"10.0.0.{i}:9100")));
            var owners = cross.GetProperty(prefix + "_partition_owners_0_9").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Equal(owners, Enumerable.Range(0, 10).Select(ring.OwnerOfPartition));
            foreach (var load in cross.GetProperty(prefix + "_loads").EnumerateObject())
            {
                Assert.Equal(load.Value.GetInt32(), ring.Loads[load.Name]);
            }
        }

        Assert.Equal(
            ulong.Parse(cross.GetProperty("xxhash_collector-00").GetString()!, CultureInfo.InvariantCulture),
            ConsistentHashRing.Hash("collector-00"));
        Assert.Equal(cross.GetProperty("xxhash_10.0.0.1:9100_mod_1061").GetInt32(),
            new ConsistentHashRing([], RingVersion.V1_0_0).PartitionOf("10.0.0.1:9100"));
    }

    [Theory]
    [InlineData("0:collector-0", 15743899210377152703UL)]
    [InlineData("collector-00", 17835216388151590826UL)]
    public void Hash_SpecHelperVectors_MatchUpstream(string text, ulong expected) =>
        Assert.Equal(expected, ConsistentHashRing.Hash(text));

    [Fact]
    public void Hash_PartitionZeroKey_MatchesSpec() =>
        Assert.Equal(3803688792395291579UL, ConsistentHashRing.Hash(new byte[8]));

    // Assignments in upstream's own HTML goldens (spec §4.2 [verified]).
    [Theory]
    [InlineData(RingVersion.V1_0_0, "test-collector1,test-collector2", "test-url", "test-collector1")]
    [InlineData(RingVersion.V1_0_0, "test-collector1,test-collector2", "test-url2", "test-collector1")]
    [InlineData(RingVersion.V1_0_0, "test-collector1,test-collector2", "test-url3", "test-collector1")]
    [InlineData(RingVersion.V1_0_0, "test-collector1,test-collector2", "test-url4", "test-collector2")]
    [InlineData(RingVersion.V0_10_0, "test-collector,test-collector2", "test-url", "test-collector2")]
    [InlineData(RingVersion.V0_10_0, "test-collector1,test-collector2", "test-url", "test-collector1")]
    [InlineData(RingVersion.V0_10_0, "test-collector1,test-collector2", "test-url2", "test-collector2")]
    [InlineData(RingVersion.V0_10_0, "test-collector1,test-collector2", "test-url3", "test-collector1")]
    public void Locate_UpstreamHtmlGoldens_MatchUpstream(RingVersion version, string members, string key, string expected) =>
        Assert.Equal(expected, new ConsistentHashRing(members.Split(','), version).Locate(key));

    private static string?[] OwnerTable(ConsistentHashRing ring) =>
        [.. Enumerable.Range(0, ring.PartitionCount).Select(ring.OwnerOfPartition)];
}
