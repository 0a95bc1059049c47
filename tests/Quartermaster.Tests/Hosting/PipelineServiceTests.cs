using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Pipeline;
using Quartermaster.Hosting;

namespace Quartermaster.Tests.Hosting;

public sealed class PipelineServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ExecuteAsync_EventsApplied_OnItsOwnThreadNotAThreadPoolThreadUntilStopped()
    {
        var time = new ThreadRecordingTime();
        var pipeline = new TargetPipeline(new ConsistentHashingStrategy(RingVersion.V0_10_0), time);
        using var service = new PipelineService(pipeline, new Lifetime());
        await service.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // Applying a collector change reads the clock on the loop's thread.
            time.Recording = true;
            var published = pipeline.NextSnapshotAsync();
            pipeline.SetCollectors([new CollectorInfo("collector-0")]);
            await published.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }

        Assert.NotEmpty(time.Threads);
        Assert.All(time.Threads, t =>
        {
            Assert.False(t.IsThreadPoolThread);
            Assert.Equal(PipelineService.ThreadName, t.Name);
        });
        Assert.Equal(TaskStatus.RanToCompletion, service.ExecuteTask!.Status);
    }

    /// <summary>The system clock, noting which threads read it while <see cref="Recording"/> is on.</summary>
    private sealed class ThreadRecordingTime : TimeProvider
    {
        private readonly ConcurrentDictionary<(string? Name, bool IsThreadPoolThread), bool> _threads = new();

        public volatile bool Recording;

        public ICollection<(string? Name, bool IsThreadPoolThread)> Threads => _threads.Keys;

        public override long GetTimestamp()
        {
            Note();
            return System.GetTimestamp();
        }

        public override DateTimeOffset GetUtcNow()
        {
            Note();
            return System.GetUtcNow();
        }

        private void Note()
        {
            if (Recording)
            {
                _threads.TryAdd((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread), true);
            }
        }
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
