using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// Immutable consistent-hashing ring with bounded loads that reproduces upstream's allocation bit-exactly
/// (buraksezer/consistent with XXH64 seed 0; spec §4.2).
/// </summary>
/// <remarks>
/// The partition → owner table is computed once in the constructor; <see cref="Locate(string)"/> is one hash, one modulo
/// and two array reads, and never allocates. The result depends only on the set of member names, never on their order.
/// </remarks>
public sealed class ConsistentHashRing
{
    /// <summary>Upstream's partition count.</summary>
    public const int DefaultPartitionCount = 1061;

    /// <summary>Upstream's number of virtual nodes per member.</summary>
    public const int DefaultReplicationFactor = 5;

    /// <summary>Upstream's load factor.</summary>
    public const double DefaultLoad = 1.1;

    /// <summary>The library version every released upstream allocator ships.</summary>
    public const RingVersion DefaultVersion = RingVersion.V0_10_0;

    private const int StackallocThreshold = 256;

    private readonly string[] _members;
    private readonly int[] _partitionOwners;
    private readonly int[] _loads;

    /// <summary>Builds a ring with upstream's parameters (1061 partitions, 5 replicas, load 1.1).</summary>
    public ConsistentHashRing(IEnumerable<string> members, RingVersion version = DefaultVersion)
        : this(members, version, DefaultPartitionCount, DefaultReplicationFactor, DefaultLoad)
    {
    }

    /// <summary>Builds a ring with explicit parameters.</summary>
    /// <exception cref="InvalidOperationException">
    /// The members cannot hold every partition under the load bound; upstream panics in the same situation
    /// (with <see cref="RingVersion.V0_10_0"/> for example when there are more members than partitions).
    /// </exception>
    public ConsistentHashRing(
        IEnumerable<string> members, RingVersion version, int partitionCount, int replicationFactor, double load)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replicationFactor);
        if (!(load > 0) || double.IsInfinity(load))
        {
            throw new ArgumentOutOfRangeException(nameof(load), load, "The load factor must be a positive finite number.");
        }

        if (version is not (RingVersion.V0_10_0 or RingVersion.V1_0_0))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown ring version.");
        }

        Version = version;
        PartitionCount = partitionCount;
        ReplicationFactor = replicationFactor;
        Load = load;

        var unique = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            if (member is null)
            {
                throw new ArgumentException("Member names must not be null.", nameof(members));
            }

            unique.Add(member);
        }

        _members = [.. unique];
        Array.Sort(_members, StringComparer.Ordinal);
        _loads = new int[_members.Length];

        if (_members.Length == 0)
        {
            _partitionOwners = [];
            AverageLoad = 0;
        }
        else
        {
            AverageLoad = ComputeAverageLoad(version, partitionCount, _members.Length, load);
            var (ringHashes, ringOwners) = BuildRing(_members, version, replicationFactor);
            _partitionOwners = Distribute(version, partitionCount, AverageLoad, ringHashes, ringOwners, _loads);
        }

        Loads = BuildLoads(_members, _loads);
    }

    /// <summary>The library version whose layout this ring reproduces.</summary>
    public RingVersion Version { get; }

    /// <summary>Number of partitions keys are hashed into.</summary>
    public int PartitionCount { get; }

    /// <summary>Number of virtual nodes per member.</summary>
    public int ReplicationFactor { get; }

    /// <summary>Load factor bounding how many partitions one member may own.</summary>
    public double Load { get; }

    /// <summary>Distinct member names in ordinal order; member indexes refer to this list.</summary>
    public IReadOnlyList<string> Members => _members;

    /// <summary>Most partitions any one member may own (upstream's <c>AverageLoad()</c>); 0 without members.</summary>
    public double AverageLoad { get; }

    /// <summary>Partitions owned per member. Unlike upstream's <c>LoadDistribution()</c>, members owning none appear with 0.</summary>
    public IReadOnlyDictionary<string, int> Loads { get; }

    /// <summary>XXH64 with seed 0, the hash upstream uses for ring positions, partitions and keys.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data) => XxHash64.HashToUInt64(data);

    /// <summary>XXH64 with seed 0 of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Hash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return HashUtf8(text);
    }

    /// <summary>Member that owns <paramref name="key"/> (a target's pre-relabel address), or null without members.</summary>
    public string? Locate(string key)
    {
        var index = LocateIndex(key);
        return index < 0 ? null : _members[index];
    }

    /// <summary>Member that owns the UTF-8 encoded <paramref name="utf8Key"/>, or null without members.</summary>
    public string? Locate(ReadOnlySpan<byte> utf8Key)
    {
        var index = LocateIndex(utf8Key);
        return index < 0 ? null : _members[index];
    }

    /// <summary>Index into <see cref="Members"/> of the owner of <paramref name="key"/>, or -1 without members.</summary>
    public int LocateIndex(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _partitionOwners.Length == 0 ? -1 : _partitionOwners[(int)(HashUtf8(key) % (ulong)PartitionCount)];
    }

    /// <summary>
    /// Index into <see cref="Members"/> of the owner of the key whose <see cref="Hash(string)"/> is
    /// <paramref name="keyHash"/>, or -1 without members: for callers that hash each key once and keep the hash.
    /// </summary>
    public int LocateIndexOfHash(ulong keyHash) =>
        _partitionOwners.Length == 0 ? -1 : _partitionOwners[(int)(keyHash % (ulong)PartitionCount)];

    /// <summary>Index into <see cref="Members"/> of the owner of <paramref name="utf8Key"/>, or -1 without members.</summary>
    public int LocateIndex(ReadOnlySpan<byte> utf8Key) =>
        _partitionOwners.Length == 0 ? -1 : _partitionOwners[(int)(Hash(utf8Key) % (ulong)PartitionCount)];

    /// <summary>Partition that <paramref name="key"/> falls into (<c>XXH64(utf8(key)) % PartitionCount</c>).</summary>
    public int PartitionOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (int)(HashUtf8(key) % (ulong)PartitionCount);
    }

    /// <summary>Partition that the UTF-8 encoded <paramref name="utf8Key"/> falls into.</summary>
    public int PartitionOf(ReadOnlySpan<byte> utf8Key) => (int)(Hash(utf8Key) % (ulong)PartitionCount);

    /// <summary>Owner of <paramref name="partition"/>, or null without members.</summary>
    public string? OwnerOfPartition(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, PartitionCount);
        return _partitionOwners.Length == 0 ? null : _members[_partitionOwners[partition]];
    }

    private static ulong HashUtf8(string text)
    {
        // Worst case is 3 UTF-8 bytes per UTF-16 unit; checking that bound avoids a counting pass for short keys.
        var maxBytes = text.Length * 3;
        byte[]? rented = null;
        // Sized to the key rather than the threshold: the runtime zeroes stackalloc memory, so smaller is cheaper.
        var buffer = maxBytes <= StackallocThreshold
            ? stackalloc byte[maxBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text)));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, buffer);
            return XxHash64.HashToUInt64(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static double ComputeAverageLoad(RingVersion version, int partitionCount, int memberCount, double load)
    {
        // Upstream quirk (spec §4.2): v0.10.0 divides integers before scaling by the load factor; v1.0.0 fixed it.
        var average = version == RingVersion.V0_10_0
            ? (partitionCount / memberCount) * load
            : (double)partitionCount / memberCount * load;
        return Math.Ceiling(average);
    }

    private static (ulong[] Hashes, int[] Owners) BuildRing(string[] members, RingVersion version, int replicationFactor)
    {
        var count = checked(members.Length * replicationFactor);
        var hashes = new ulong[count];
        var ownerByHash = new Dictionary<ulong, int>(count);
        var keyBuffer = new byte[64];
        var position = 0;
        for (var m = 0; m < members.Length; m++)
        {
            for (var i = 0; i < replicationFactor; i++)
            {
                var key = ReplicaKey(members[m], i, version, ref keyBuffer);
                var hash = XxHash64.HashToUInt64(key);
                hashes[position++] = hash;

                // Upstream keeps the last member written for a colliding position; members are added in ordinal order
                // here, so a collision resolves the same way whatever order the caller passed.
                ownerByHash[hash] = m;
            }
        }

        Array.Sort(hashes);
        var owners = new int[count];
        for (var p = 0; p < count; p++)
        {
            owners[p] = ownerByHash[hashes[p]];
        }

        return (hashes, owners);
    }

    private static ReadOnlySpan<byte> ReplicaKey(string name, int replica, RingVersion version, ref byte[] buffer)
    {
        var needed = Encoding.UTF8.GetByteCount(name) + 12;
        if (buffer.Length < needed)
        {
            buffer = new byte[needed];
        }

        Span<byte> digits = stackalloc byte[11];
        replica.TryFormat(digits, out var digitCount, default, CultureInfo.InvariantCulture);
        var span = buffer.AsSpan();
        int length;
        if (version == RingVersion.V0_10_0)
        {
            length = Encoding.UTF8.GetBytes(name, span);
            digits[..digitCount].CopyTo(span[length..]);
            length += digitCount;
        }
        else
        {
            digits[..digitCount].CopyTo(span);
            span[digitCount] = (byte)':';
            length = digitCount + 1 + Encoding.UTF8.GetBytes(name, span[(digitCount + 1)..]);
        }

        return span[..length];
    }

    private static int[] Distribute(
        RingVersion version, int partitionCount, double averageLoad, ulong[] ringHashes, int[] ringOwners, int[] loads)
    {
        // Upstream quirk (spec §4.2): v0.10.0 gives up one position early and never checks the last ring position.
        var maxVisits = version == RingVersion.V0_10_0 ? ringHashes.Length - 1 : ringHashes.Length;
        var owners = new int[partitionCount];
        Span<byte> partitionKey = stackalloc byte[sizeof(ulong)];
        for (var partition = 0; partition < partitionCount; partition++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(partitionKey, (ulong)partition);
            var idx = LowerBound(ringHashes, XxHash64.HashToUInt64(partitionKey));
            if (idx == ringHashes.Length)
            {
                idx = 0;
            }

            var placed = false;
            for (var visits = 0; visits < maxVisits; visits++)
            {
                var member = ringOwners[idx];
                if (loads[member] + 1 <= averageLoad)
                {
                    owners[partition] = member;
                    loads[member]++;
                    placed = true;
                    break;
                }

                if (++idx == ringHashes.Length)
                {
                    idx = 0;
                }
            }

            if (!placed)
            {
                ThrowNotEnoughRoom(partition);
            }
        }

        return owners;
    }

    private static int LowerBound(ulong[] sorted, ulong value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static FrozenDictionary<string, int> BuildLoads(string[] members, int[] loads)
    {
        var result = new Dictionary<string, int>(members.Length, StringComparer.Ordinal);
        for (var m = 0; m < members.Length; m++)
        {
            result[members[m]] = loads[m];
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    [DoesNotReturn]
    private static void ThrowNotEnoughRoom(int partition) =>
        throw new InvalidOperationException(
            $"Not enough room to distribute partition {partition}: decrease the partition count, add members or raise the load factor.");
}
