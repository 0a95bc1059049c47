using System.Threading.Channels;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Tests.Discovery;

/// <summary>Captures published batches; every wait is bounded.</summary>
internal sealed class Recorder
{
    private readonly Channel<IReadOnlyList<TargetGroup>> _batches = Channel.CreateUnbounded<IReadOnlyList<TargetGroup>>();

    public void Publish(IReadOnlyList<TargetGroup> groups) => _batches.Writer.TryWrite(groups);

    public async Task<IReadOnlyList<TargetGroup>> NextAsync() =>
        await _batches.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public bool TryTake(out IReadOnlyList<TargetGroup>? batch) => _batches.Reader.TryRead(out batch);

    public static string[] Render(IEnumerable<TargetGroup> groups) =>
        groups.Select(g =>
            g.Source + " " + string.Join(",", g.Targets.Select(t => "{" + string.Join(",", t.Select(l => l.ToString())) + "}"))
            + " " + string.Join(",", g.Labels.Select(l => l.ToString()))).ToArray();
}
