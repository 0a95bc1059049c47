using System.Diagnostics;
using System.Globalization;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Pipeline;

namespace Quartermaster.Benchmarks;

/// <summary>
/// <c>--pipeline-stopwatch [targets] [runs]</c>: <see cref="PipelineBenchmarks.FullPass"/> at sizes BenchmarkDotNet
/// is too slow for (800k), in this process: per run the process CPU time (all threads, GC included), wall time, bytes
/// allocated and collections per generation, then the process's peak RSS (<c>VmHWM</c>). The workload is built before
/// the first run and stays live, as discovery's groups stay live in the service. <c>QM_BENCH_COMPRESS=1</c> keeps bodies
/// gzip-compressed (<c>http_server.compress_stored_bodies</c>); <c>QM_BENCH_ALLOCS=1</c> prints sampled allocations by
/// type after each run (<see cref="AllocationSampler"/>).
/// </summary>
public static class PipelineStopwatch
{
    public static int Run(string[] args)
    {
        var targets = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 800_000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var groups = Workload.Groups(targets);
        var config = new PipelineConfig
        {
            Jobs = Workload.Jobs(groups, keepDropRules: false),
            RelabelFiltering = true,
            ScrapeConfigsRedacted = "{}"u8.ToArray(),
            ScrapeConfigsWithSecrets = "{}"u8.ToArray(),
            Version = "bench",
            CompressBodies = Environment.GetEnvironmentVariable("QM_BENCH_COMPRESS") == "1",
        };
        var collectors = Enumerable.Range(0, 100).Select(i => new CollectorInfo($"collector-{i}")).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload built: {targets:N0} targets in {groups.Length:N0} jobs, RSS {Rss("VmRSS")} MiB"));
        Console.WriteLine("| run | CPU | wall | GC pauses | allocated | gen0/gen1/gen2 | responses | slabs | full GC before |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        using var sampler = Environment.GetEnvironmentVariable("QM_BENCH_ALLOCS") == "1" ? new AllocationSampler() : null;
        for (var r = 0; r < runs; r++)
        {
            var full = Stopwatch.StartNew();
            GC.Collect();
            full.Stop();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var pauses = GC.GetTotalPauseDuration();
            sampler?.Start();
            var clock = Stopwatch.StartNew();
            var pipeline = PipelineBenchmarks.RunFullPass(groups, config, collectors);
            var wall = clock.Elapsed;
            process.Refresh();
            var responses = pipeline.Current.Jobs.Values.Sum(v => v.ByCollector.Count);
            var stored = pipeline.Current.Jobs.Values.Sum(v => v.ByCollector.Values.Sum(b => (long)b.Length));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r + 1} | {(process.TotalProcessorTime - cpu).TotalMilliseconds:F0} ms | {wall.TotalMilliseconds:F0} ms | {(GC.GetTotalPauseDuration() - pauses).TotalMilliseconds:F0} ms | {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:F0} MiB | {GC.CollectionCount(0) - g0}/{GC.CollectionCount(1) - g1}/{GC.CollectionCount(2) - g2} | {responses:N0} ({stored / 1048576.0:F0} MiB) | {pipeline.Bodies.SlabCount:N0} ({pipeline.Bodies.SlabBytes / 1048576.0:F0} MiB) | {full.Elapsed.TotalMilliseconds:F0} ms |"));
            sampler?.Report(25);
            GC.KeepAlive(pipeline);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS (VmHWM) {Rss("VmHWM")} MiB, RSS now {Rss("VmRSS")} MiB"));
        GC.KeepAlive(groups);
        return 0;
    }

    private static long Rss(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024;
            }
        }

        return -1;
    }
}
