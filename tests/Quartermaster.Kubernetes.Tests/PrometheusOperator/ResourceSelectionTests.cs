using CsCheck;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.PrometheusOperator;

namespace Quartermaster.Kubernetes.Tests.PrometheusOperator;

public class ResourceSelectionTests
{
    private static readonly Dictionary<string, string> AppLabels = new() { ["app"] = "web", ["team"] = "a" };
    private static readonly Dictionary<string, string> NsLabels = new() { ["env"] = "prod" };

    private static ResourceSelection Selection(Action<PrometheusCrConfig> configure)
    {
        var config = new PrometheusCrConfig { Enabled = true };
        configure(config);
        return new ResourceSelection(config, "otel");
    }

    [Fact]
    public void Selects_NilMonitorSelector_SelectsNothing()
    {
        var selection = Selection(_ => { });

        foreach (var kind in Enum.GetValues<MonitoringKind>())
        {
            Assert.False(selection.Selects(kind, "otel", AppLabels, NsLabels));
        }
    }

    [Fact]
    public void Selects_EmptyMonitorSelectorAndDefaultNamespaceSelector_SelectsEveryKnownNamespace()
    {
        var selection = Selection(c => c.ServiceMonitorSelector = new LabelSelector());

        Assert.True(selection.Selects(MonitoringKind.ServiceMonitor, "apps", AppLabels, NsLabels));
        Assert.True(selection.Selects(MonitoringKind.ServiceMonitor, "apps", new Dictionary<string, string>(), NsLabels));
        Assert.False(selection.Selects(MonitoringKind.ServiceMonitor, "unknown", AppLabels, null));
        Assert.False(selection.Selects(MonitoringKind.PodMonitor, "apps", AppLabels, NsLabels));
    }

    [Fact]
    public void Selects_NilNamespaceSelector_SelectsOnlyTheOwnNamespace()
    {
        var selection = Selection(c =>
        {
            c.PodMonitorSelector = new LabelSelector();
            c.PodMonitorNamespaceSelector = null;
        });

        Assert.True(selection.Selects(MonitoringKind.PodMonitor, "otel", AppLabels, null));
        Assert.False(selection.Selects(MonitoringKind.PodMonitor, "apps", AppLabels, NsLabels));
    }

    [Fact]
    public void Selects_NamespaceSelectorWithLabels_EvaluatesTheNamespaceLabels()
    {
        var selection = Selection(c =>
        {
            c.ProbeSelector = new LabelSelector();
            c.ProbeNamespaceSelector = new LabelSelector { MatchExpressions = [new("env", "In", ["prod", "stage"])] };
        });

        Assert.True(selection.Selects(MonitoringKind.Probe, "a", AppLabels, NsLabels));
        Assert.False(selection.Selects(MonitoringKind.Probe, "b", AppLabels, new Dictionary<string, string> { ["env"] = "dev" }));
        Assert.True(selection.NamespaceSelectionChanged("a", NsLabels, new Dictionary<string, string> { ["env"] = "dev" }));
        Assert.False(selection.NamespaceSelectionChanged("a", NsLabels, new Dictionary<string, string> { ["env"] = "stage" }));
    }

    [Fact]
    public void Selects_AllowAndDenyLists_RestrictNamespaces()
    {
        var allow = Selection(c =>
        {
            c.ScrapeConfigSelector = new LabelSelector();
            c.AllowNamespaces = ["a"];
        });
        var deny = Selection(c =>
        {
            c.ScrapeConfigSelector = new LabelSelector();
            c.DenyNamespaces = ["a"];
        });

        Assert.True(allow.Selects(MonitoringKind.ScrapeConfig, "a", AppLabels, NsLabels));
        Assert.False(allow.Selects(MonitoringKind.ScrapeConfig, "b", AppLabels, NsLabels));
        Assert.Equal(["a"], allow.WatchedNamespaces);
        Assert.False(deny.Selects(MonitoringKind.ScrapeConfig, "a", AppLabels, NsLabels));
        Assert.True(deny.Selects(MonitoringKind.ScrapeConfig, "b", AppLabels, NsLabels));
        Assert.Null(deny.WatchedNamespaces);
    }

    [Theory]
    [InlineData("In", "web", true)]
    [InlineData("In", "api", false)]
    [InlineData("NotIn", "web", false)]
    [InlineData("NotIn", "api", true)]
    [InlineData("Exists", "", true)]
    [InlineData("DoesNotExist", "", false)]
    [InlineData("Bogus", "web", false)]
    public void Matches_Operators_FollowKubernetesSemantics(string op, string value, bool expected)
    {
        var selector = new LabelSelector { MatchExpressions = [new("app", op, value.Length == 0 ? [] : [value])] };

        Assert.Equal(expected, ResourceSelection.Matches(selector, AppLabels));
    }

    [Fact]
    public void Matches_AbsentLabel_NotInAndDoesNotExistHold()
    {
        var labels = new Dictionary<string, string>();

        Assert.True(ResourceSelection.Matches(new LabelSelector { MatchExpressions = [new("x", "NotIn", ["a"])] }, labels));
        Assert.True(ResourceSelection.Matches(new LabelSelector { MatchExpressions = [new("x", "DoesNotExist", [])] }, labels));
        Assert.False(ResourceSelection.Matches(new LabelSelector { MatchExpressions = [new("x", "In", ["a"])] }, labels));
        Assert.False(ResourceSelection.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["x"] = "a" } }, labels));
    }

    private static readonly Gen<Dictionary<string, string>> GenLabels =
        Gen.Dictionary(Gen.String[Gen.Char["abc"], 1, 2], Gen.String[Gen.Char["xy"], 0, 2])[0, 4];

    [Fact]
    public void Matches_EmptySelector_MatchesAnyLabels()
    {
        GenLabels.Sample(labels => ResourceSelection.Matches(new LabelSelector(), labels));
    }

    [Fact]
    public void Matches_SelectorBuiltFromTheLabels_MatchesThemAndTheirSupersets()
    {
        Gen.Select(GenLabels, GenLabels).Sample((labels, extra) =>
        {
            var selector = new LabelSelector { MatchLabels = labels };
            var superset = new Dictionary<string, string>(extra);
            foreach (var (k, v) in labels)
            {
                superset[k] = v;
            }

            return ResourceSelection.Matches(selector, labels) && ResourceSelection.Matches(selector, superset);
        });
    }

    [Fact]
    public void Matches_InAndNotIn_AreComplements()
    {
        Gen.Select(GenLabels, Gen.String[Gen.Char["abc"], 1, 2], Gen.String[Gen.Char["xy"], 0, 2].Array[0, 3]).Sample((labels, key, values) =>
        {
            var inSelector = new LabelSelector { MatchExpressions = [new(key, "In", values)] };
            var notIn = new LabelSelector { MatchExpressions = [new(key, "NotIn", values)] };
            var exists = new LabelSelector { MatchExpressions = [new(key, "Exists", [])] };
            var absent = new LabelSelector { MatchExpressions = [new(key, "DoesNotExist", [])] };
            return ResourceSelection.Matches(inSelector, labels) != ResourceSelection.Matches(notIn, labels)
                && ResourceSelection.Matches(exists, labels) != ResourceSelection.Matches(absent, labels);
        });
    }

    [Fact]
    public void Selects_DenyListedNamespace_IsNeverSelected()
    {
        Gen.Select(Gen.String[Gen.Char["ab"], 1, 2], GenLabels).Sample((ns, labels) =>
        {
            var selection = Selection(c =>
            {
                c.ServiceMonitorSelector = new LabelSelector();
                c.DenyNamespaces = [ns];
            });
            return !selection.Selects(MonitoringKind.ServiceMonitor, ns, labels, labels);
        });
    }
}
