#:project ../../src/Quartermaster.Core/Quartermaster.Core.csproj
#:property TreatWarningsAsErrors=false
using System.Diagnostics;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Pipeline;

// Change → published latency of the pipeline loop while the thread pool's queue is kept full of short CPU work items
// (what request handling looks like to the pool), with the loop awaiting on the pool as it once did ("pool") or as Run on a
// dedicated thread, as the host runs it ("thread"). Measured from a dedicated thread polling Current, so the
// measurement itself never waits for the pool.
// Usage: dotnet run -c Release pipeline-starvation.cs -- <pool|thread> <backlog>
var mode = args[0];
var backlog = int.Parse(args[1]);
var pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), TimeProvider.System);
using var stop = new CancellationTokenSource();
if (mode == "pool")
{
    // The loop as it ran before it had a thread: each turn is a work item at the back of the pool's queue, as the
    // former loop's channel continuation was.
    void Turn(object? state)
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        pipeline.ProcessPending();
        ThreadPool.UnsafeQueueUserWorkItem<object?>(Turn, null, preferLocal: false);
    }

    ThreadPool.UnsafeQueueUserWorkItem<object?>(Turn, null, preferLocal: false);
}
else
{
    new Thread(() => { try { pipeline.Run(stop.Token); } catch (OperationCanceledException) { } }) { IsBackground = true }.Start();
}

var flooding = true;
long done = 0;
var feeder = new Thread(() =>
{
    while (Volatile.Read(ref flooding))
    {
        while (ThreadPool.PendingWorkItemCount < backlog)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => { var s = Stopwatch.GetTimestamp(); while (Stopwatch.GetElapsedTime(s).TotalMilliseconds < 1) { } Interlocked.Increment(ref done); }, null);
        }
        Thread.Sleep(1);
    }
}) { IsBackground = true };
if (backlog > 0) feeder.Start();
Thread.Sleep(2000);
var latencies = new List<double>();
for (var i = 0; i < 20; i++)
{
    var before = pipeline.Current;
    var start = Stopwatch.GetTimestamp();
    pipeline.SetCollectors([new CollectorInfo("c" + i)]);
    while (ReferenceEquals(pipeline.Current, before) && Stopwatch.GetElapsedTime(start).TotalSeconds < 30) Thread.Sleep(1);
    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    Thread.Sleep(100);
}
Volatile.Write(ref flooding, false);
latencies.Sort();
Console.WriteLine($"{mode} backlog {backlog}: change→published p50 {latencies[10]:F1} ms, p90 {latencies[18]:F1} ms, max {latencies[19]:F1} ms (n=20); pool work items done {done}, threads {ThreadPool.ThreadCount}; load {File.ReadAllText("/proc/loadavg").Trim()}");
stop.Cancel();
