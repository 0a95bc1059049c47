namespace Quartermaster.Core.Discovery;

/// <summary>A job's <c>static_configs</c>: publishes the groups once, then waits for cancellation.</summary>
/// <remarks><see cref="RunAsync"/> returns normally when its token is cancelled.</remarks>
public sealed class StaticProvider : IDiscoveryProvider
{
    private readonly IReadOnlyList<TargetGroup> _groups;

    public StaticProvider(IReadOnlyList<TargetGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _groups = groups;
    }

    public string Mechanism => "static";

    public async Task RunAsync(Action<IReadOnlyList<TargetGroup>> publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        publish(_groups);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), cancelled))
        {
            await cancelled.Task.ConfigureAwait(false);
        }
    }
}
