using System.Diagnostics;
using System.Globalization;

namespace Quartermaster.Benchmarks;

/// <summary>
/// <c>--relabel-stopwatch [rounds]</c>: every <see cref="RelabelBenchmarks"/> scenario timed with a
/// <see cref="Stopwatch"/> for a quick look between full BenchmarkDotNet runs. The 10k targets are timed in chunks of
/// 100; each chunk's best over the rounds is kept (short chunks are rarely preempted, so a machine shared with other
/// work distorts the sum of the bests far less than one long loop), and the bytes allocated per target are printed.
/// </summary>
public static class RelabelStopwatch
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        Console.WriteLine("| scenario | best ns/target | bytes/target |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var scenario in Enum.GetValues<RelabelBenchmarks.Rules>())
        {
            var bench = new RelabelBenchmarks { Scenario = scenario };
            bench.Setup();
            bench.TryProcess();
            const int Chunk = 100;
            var bests = new double[RelabelBenchmarks.TargetCount / Chunk];
            Array.Fill(bests, double.MaxValue);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var r = 0; r < rounds; r++)
            {
                for (var c = 0; c < bests.Length; c++)
                {
                    var start = Stopwatch.GetTimestamp();
                    bench.TryProcess(c * Chunk, Chunk);
                    bests[c] = Math.Min(bests[c], Stopwatch.GetElapsedTime(start).TotalNanoseconds);
                }
            }

            var best = bests.Sum();

            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)rounds / RelabelBenchmarks.TargetCount;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {scenario} | {best / RelabelBenchmarks.TargetCount:F0} | {bytes:F0} |"));
        }

        return 0;
    }
}
