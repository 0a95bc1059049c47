using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Tests.Discovery;

public sealed class StaticProviderTests
{
    [Fact]
    public async Task RunAsync_PublishesGroupsOnceThenWaitsForCancellation()
    {
        TargetGroup[] groups = [new("0", [[new Label("__address__", "a:1")]], [new Label("env", "x")])];
        var recorder = new PublishRecorder();
        using var cts = new CancellationTokenSource();

        var run = new StaticProvider(groups).RunAsync(recorder.Publish, cts.Token);

        Assert.Same(groups, await recorder.NextAsync());
        Assert.False(run.IsCompleted);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(run.IsCompletedSuccessfully);
        Assert.False(recorder.TryTake(out _));
    }
}
