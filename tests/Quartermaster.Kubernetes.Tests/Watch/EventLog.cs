using System.Threading.Channels;
using Quartermaster.Kubernetes.Watch;

namespace Quartermaster.Kubernetes.Tests.Watch;

/// <summary>Collects cache events and waits (bounded) for expected ones.</summary>
internal sealed class EventLog<T>
    where T : class
{
    private readonly Channel<CacheEvent<T>> _events = Channel.CreateUnbounded<CacheEvent<T>>();

    public List<CacheEvent<T>> Seen { get; } = [];

    public void Add(CacheEvent<T> change) => _events.Writer.TryWrite(change);

    public async Task<CacheEvent<T>> WaitForAsync(Func<CacheEvent<T>, bool> match)
    {
        foreach (var seen in Seen)
        {
            if (match(seen))
            {
                return seen;
            }
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var change = await _events.Reader.ReadAsync(cts.Token);
            Seen.Add(change);
            if (match(change))
            {
                return change;
            }
        }
    }
}
