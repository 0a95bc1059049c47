using CsCheck;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Tests.Discovery;

public sealed class GroupTrackerTests
{
    private static readonly Gen<TargetGroup> GroupGen =
        Gen.Select(
            Gen.Int[0, 5],
            Gen.Char["ab"].Array[0, 3],
            Gen.Char["xy"].Array[0, 2],
            (source, targets, labels) => new TargetGroup(
                source.ToString(System.Globalization.CultureInfo.InvariantCulture),
                targets.Select(t => new[] { new Label("__address__", t.ToString()) }).ToArray(),
                labels.Distinct().Order().Select(l => new Label(l.ToString(), "v")).ToArray()));

    // One refresh: a set of groups with distinct sources.
    private static readonly Gen<TargetGroup[]> RefreshGen =
        GroupGen.Array[0, 6].Select(groups => groups.GroupBy(g => g.Source).Select(g => g.First()).ToArray());

    [Fact]
    public void Update_ChangesReplayedByConsumer_ReproduceEveryRefresh()
    {
        RefreshGen.Array[1, 6].Sample(refreshes =>
        {
            var tracker = new GroupTracker();
            var consumer = new Dictionary<string, TargetGroup>();
            foreach (var refresh in refreshes)
            {
                foreach (var change in tracker.Update(refresh) ?? [])
                {
                    if (change.Targets.Count == 0)
                    {
                        Assert.True(consumer.Remove(change.Source));
                    }
                    else
                    {
                        consumer[change.Source] = change;
                    }
                }

                var expected = refresh.Where(g => g.Targets.Count > 0).Select(GroupFormat.Render).Order(StringComparer.Ordinal);
                Assert.Equal(expected, consumer.Values.Select(GroupFormat.Render).Order(StringComparer.Ordinal));
            }
        }, iter: 2000);
    }

    [Fact]
    public void Update_SameGroupsAgain_ReturnsNullAfterFirstCall()
    {
        var tracker = new GroupTracker();
        TargetGroup[] groups = [new("0", [[new Label("__address__", "a")]], [])];

        Assert.Single(tracker.Update(groups)!);
        Assert.Null(tracker.Update([new("0", [[new Label("__address__", "a")]], [])]));
        Assert.Empty(new GroupTracker().Update([])!);
    }

    [Fact]
    public void Update_UnchangedGroupsReparsed_TrackerHoldsOnlyTheConsumersInstances()
    {
        // A re-read builds new instances of unchanged groups; keeping those would hold a second copy of every label.
        RefreshGen.Array[1, 6].Sample(refreshes =>
        {
            var tracker = new GroupTracker();
            var consumer = new Dictionary<string, TargetGroup>();
            foreach (var refresh in refreshes)
            {
                var reparsed = refresh.Select(g => new TargetGroup(g.Source, g.Targets.Select(t => t.ToArray()).ToArray(), g.Labels.ToArray())).ToArray();
                foreach (var change in tracker.Update(reparsed) ?? [])
                {
                    if (change.Targets.Count == 0)
                    {
                        consumer.Remove(change.Source);
                    }
                    else
                    {
                        consumer[change.Source] = change;
                    }
                }

                foreach (var group in reparsed.Where(g => g.Targets.Count > 0))
                {
                    Assert.Same(consumer[group.Source], tracker.Tracked(group));
                }
            }
        }, iter: 2000);
    }
}
