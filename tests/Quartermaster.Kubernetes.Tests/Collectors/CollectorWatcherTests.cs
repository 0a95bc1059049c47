using k8s.Models;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.Collectors;

namespace Quartermaster.Kubernetes.Tests.Collectors;

public class CollectorWatcherTests
{
    private static V1Pod Pod(string? node, string phase, string? ready, DateTime? transition = null, DateTime? start = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "collector-0", NamespaceProperty = "otel" },
        Spec = new V1PodSpec { NodeName = node },
        Status = new V1PodStatus
        {
            Phase = phase,
            StartTime = start,
            Conditions = ready is null ? null : [new V1PodCondition { Type = "Ready", Status = ready, LastTransitionTime = transition }],
        },
    };

    [Fact]
    public void ToCollector_ReadyRunningPod_IsReadyCollectorOnItsNode()
    {
        var c = CollectorWatcher.ToCollector(Pod("node-1", "Running", "True"));

        Assert.NotNull(c);
        Assert.Equal(("collector-0", "node-1", true), (c!.Name, c.NodeName, c.Ready));
    }

    [Fact]
    public void ToCollector_PodWithoutNode_IsNoCollector()
    {
        Assert.Null(CollectorWatcher.ToCollector(Pod(null, "Pending", null)));
    }

    [Fact]
    public void ToCollector_NotReady_CarriesTheTransitionTime_OrTheStartTimeWhenNotRunning()
    {
        var since = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        var unready = CollectorWatcher.ToCollector(Pod("n", "Running", "False", transition: since))!;
        var pending = CollectorWatcher.ToCollector(Pod("n", "Pending", null, start: since))!;

        Assert.False(unready.Ready);
        Assert.Equal(new DateTimeOffset(since), unready.NotReadySince);
        Assert.False(pending.Ready);
        Assert.Equal(new DateTimeOffset(since), pending.NotReadySince);
    }

    [Fact]
    public void ToSelectorString_MatchLabelsAndExpressions_UseTheApiSyntax()
    {
        var selector = new LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
            MatchExpressions =
            [
                new("tier", "In", ["x", "y"]),
                new("env", "NotIn", ["dev"]),
                new("present", "Exists", []),
                new("absent", "DoesNotExist", []),
            ],
        };

        Assert.Equal("a=1,b=2,tier in (x,y),env notin (dev),present,!absent", CollectorWatcher.ToSelectorString(selector));
        Assert.Equal("", CollectorWatcher.ToSelectorString(null));
        Assert.Equal("", CollectorWatcher.ToSelectorString(new LabelSelector()));
    }
}
