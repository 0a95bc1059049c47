using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Benchmarks;

/// <summary>Consistent-hashing ring: construction on a collector change, and locating every target afterwards.</summary>
[ShortRunJob(RuntimeMoniker.Net10_0)]
[MemoryDiagnoser]
public class RingBenchmarks
{
    private static readonly int[] CommonPorts = [80, 443, 8080, 8443, 9090, 9100, 9006, 10250, 8888, 9187];

    private string[] _members3 = [];
    private string[] _members10 = [];
    private string[] _members100 = [];
    private string[] _keys10k = [];
    private string[] _keys100k = [];
    private ConsistentHashRing _ring100 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _members3 = Collectors(3);
        _members10 = Collectors(10);
        _members100 = Collectors(100);
        _ring100 = new ConsistentHashRing(_members100);
        _keys100k = Addresses(100_000, seed: 20240601);
        _keys10k = _keys100k[..10_000];
    }

    [Benchmark]
    public ConsistentHashRing Construct3() => new(_members3);

    [Benchmark]
    public ConsistentHashRing Construct10() => new(_members10);

    [Benchmark]
    public ConsistentHashRing Construct100() => new(_members100);

    [Benchmark]
    public ConsistentHashRing Construct100V1() => new(_members100, RingVersion.V1_0_0);

    // Hashing alone (UTF-8 encode + XXH64): what Locate adds on top is the modulo and two array reads.
    [Benchmark(Baseline = true, OperationsPerInvoke = 10_000)]
    public ulong HashOnly10k()
    {
        var sum = 0UL;
        foreach (var key in _keys10k)
        {
            sum += ConsistentHashRing.Hash(key);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 10_000)]
    public int Locate10k() => LocateAll(_keys10k);

    [Benchmark(OperationsPerInvoke = 100_000)]
    public int Locate100k() => LocateAll(_keys100k);

    private int LocateAll(string[] keys)
    {
        var sum = 0;
        foreach (var key in keys)
        {
            sum += _ring100.Locate(key)!.Length;
        }

        return sum;
    }

    private static string[] Collectors(int count) =>
        [.. Enumerable.Range(0, count).Select(i => "collector-" + i.ToString(CultureInfo.InvariantCulture))];

    // Same shape as the conformance URLs: 10.a.b.c, half the ports from common exporters, half random high ports.
    private static string[] Addresses(int count, int seed)
    {
        var random = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (seen.Count < count)
        {
            var port = random.Next(2) == 0 ? CommonPorts[random.Next(CommonPorts.Length)] : random.Next(1024, 65536);
            seen.Add(string.Create(
                CultureInfo.InvariantCulture, $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}:{port}"));
        }

        return [.. seen];
    }
}
