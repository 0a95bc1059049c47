using System.Threading.Channels;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Core.Tests.Discovery;

/// <summary>Captures what a provider publishes; every wait is bounded.</summary>
internal sealed class PublishRecorder
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Channel<IReadOnlyList<TargetGroup>> _batches = Channel.CreateUnbounded<IReadOnlyList<TargetGroup>>();

    public void Publish(IReadOnlyList<TargetGroup> groups) => _batches.Writer.TryWrite(groups);

    public async Task<IReadOnlyList<TargetGroup>> NextAsync() =>
        await _batches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout);

    /// <summary>Reads batches until one satisfies <paramref name="predicate"/>.</summary>
    public async Task<IReadOnlyList<TargetGroup>> NextMatchingAsync(Func<IReadOnlyList<TargetGroup>, bool> predicate)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        while (true)
        {
            var batch = await _batches.Reader.ReadAsync(cts.Token);
            if (predicate(batch))
            {
                return batch;
            }
        }
    }

    public bool TryTake(out IReadOnlyList<TargetGroup>? batch) => _batches.Reader.TryRead(out batch);
}
