using System.Diagnostics;
using System.Globalization;

namespace Quartermaster.Benchmarks;

/// <summary>
/// <c>--relabel-stopwatch [rounds]</c>: every <see cref="RelabelBenchmarks"/> scenario timed with a
/// <see cref="Stopwatch"/> for a quick look between full BenchmarkDotNet runs. Prints the best of several rounds of
/// 10k targets per scenario (the least disturbed by other work on the machine) and the bytes allocated per target.
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
            var best = double.MaxValue;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var r = 0; r < rounds; r++)
            {
                var start = Stopwatch.GetTimestamp();
                bench.TryProcess();
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds);
            }

            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)rounds / RelabelBenchmarks.TargetCount;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {scenario} | {best / RelabelBenchmarks.TargetCount:F0} | {bytes:F0} |"));
        }

        return 0;
    }
}
