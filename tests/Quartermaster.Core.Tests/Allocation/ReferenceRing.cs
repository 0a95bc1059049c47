using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Core.Tests.Allocation;

/// <summary>
/// Straightforward transcription of the upstream library's algorithm (spec §4.2), kept deliberately naive: string replica
/// keys, linear ring search, loads by name. The optimized ring must agree with it.
/// </summary>
internal static class ReferenceRing
{
    public static string[] OwnerTable(IReadOnlyCollection<string> members, RingVersion version, int partitionCount = 1061)
    {
        var ring = new List<(ulong Hash, string Member)>();
        foreach (var member in members.Distinct())
        {
            for (var i = 0; i < 5; i++)
            {
                var key = version == RingVersion.V0_10_0 ? member + i : i + ":" + member;
                ring.Add((XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key)), member));
            }
        }

        ring.Sort((a, b) => a.Hash.CompareTo(b.Hash));
        var count = members.Distinct().Count();
        var average = version == RingVersion.V0_10_0
            ? Math.Ceiling((partitionCount / count) * 1.1)
            : Math.Ceiling((double)partitionCount / count * 1.1);
        var loads = new Dictionary<string, double>();
        var owners = new string[partitionCount];
        var maxVisits = version == RingVersion.V0_10_0 ? ring.Count - 1 : ring.Count;
        for (var partition = 0; partition < partitionCount; partition++)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)partition);
            var key = XxHash64.HashToUInt64(bytes);
            var idx = ring.FindIndex(r => r.Hash >= key);
            if (idx < 0)
            {
                idx = 0;
            }

            for (var visit = 0; ; visit++)
            {
                if (visit >= maxVisits)
                {
                    throw new InvalidOperationException("not enough room to distribute partitions");
                }

                var member = ring[idx].Member;
                if (loads.GetValueOrDefault(member) + 1 <= average)
                {
                    owners[partition] = member;
                    loads[member] = loads.GetValueOrDefault(member) + 1;
                    break;
                }

                idx = (idx + 1) % ring.Count;
            }
        }

        return owners;
    }
}
