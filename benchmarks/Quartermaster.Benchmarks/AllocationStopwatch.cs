using System.Diagnostics;
using System.Globalization;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Benchmarks;

/// <summary>
/// <c>--stopwatch [targets...]</c>: the allocation benchmarks timed with a <see cref="Stopwatch"/>, for sizes where a
/// full BenchmarkDotNet run would take too long. Prints one median per figure over a few runs after one warm-up, as
/// process CPU time (all threads, GC included), which a machine shared with other work distorts far less than wall
/// time; the wall time of the full pass is printed beside it.
/// </summary>
public static class AllocationStopwatch
{
    private const int Runs = 3;

    public static int Run(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [800_000];
        Console.WriteLine("| targets | strategy | SetTargets (fresh, 100 collectors), CPU | same, wall | +1 collector | -1 collector | 1 % churn | churn / full |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var workload = new AllocationWorkload(size);
            foreach (var strategy in Strategies)
            {
                workload.Allocate(strategy);
                var full = Median(() => workload.Allocate(strategy), out var wall);
                var allocator = workload.Allocate(strategy);
                var add = new List<double>();
                var remove = new List<double>();
                var churn = new List<double>();
                for (var r = 0; r < Runs; r++)
                {
                    add.Add(Time(() => allocator.SetCollectors(workload.CollectorSetPlusOne)));
                    remove.Add(Time(() => allocator.SetCollectors(workload.CollectorSet)));
                    churn.Add(Time(() => workload.SetChurnedJobs(allocator, workload.Churned)));
                    churn.Add(Time(() => workload.SetChurnedJobs(allocator, workload.Items)));
                    allocator.DrainChanges();
                }

                var c = Med(churn);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {size:N0} | {strategy} | {full:F1} ms | {wall:F1} ms | {Med(add):F1} ms | {Med(remove):F1} ms | {c:F2} ms | {100 * c / full:F2} % |"));
            }
        }

        return 0;
    }

    /// <summary>Every strategy, or those named in <c>QM_BENCH_STRATEGY</c> (comma-separated).</summary>
    private static string[] Strategies =>
        Environment.GetEnvironmentVariable("QM_BENCH_STRATEGY") is { Length: > 0 } names
            ? names.Split(',')
            : [ConsistentHashingStrategy.StrategyName, LeastWeightedStrategy.StrategyName, PerNodeStrategy.StrategyName];

    private static double Median(Action action, out double wallMedian)
    {
        var times = new List<double>();
        var walls = new List<double>();
        for (var r = 0; r < Runs; r++)
        {
            GC.Collect();
            var clock = Stopwatch.StartNew();
            times.Add(Time(action));
            walls.Add(clock.Elapsed.TotalMilliseconds);
        }

        wallMedian = Med(walls);
        return Med(times);
    }

    private static double Time(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMilliseconds;
    }

    private static double Med(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
