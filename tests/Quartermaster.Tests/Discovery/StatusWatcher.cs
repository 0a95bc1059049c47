using System.Threading.Channels;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Tests.Discovery;

/// <summary>A <see cref="SourceStatus"/> whose state changes can be awaited (bounded).</summary>
internal sealed class StatusWatcher
{
    private readonly Channel<string?> _changes = Channel.CreateUnbounded<string?>();

    public StatusWatcher(string mechanism = "http_sd") =>
        Status = new SourceStatus("job", mechanism, "source", (_, error) => _changes.Writer.TryWrite(error));

    public SourceStatus Status { get; }

    /// <summary>The next state change: the new error, or null for recovery.</summary>
    public async Task<string?> NextChangeAsync() =>
        await _changes.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
