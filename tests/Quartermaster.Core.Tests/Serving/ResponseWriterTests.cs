using System.Text;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Serving;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Serving;

public class ResponseWriterTests
{
    [Fact]
    public void TargetGroups_SpecExample_MatchesUpstreamBytes()
    {
        var item = new TargetItem("job", "10.0.0.1:9100",
        [
            new Label("__address__", "10.0.0.1:9100"),
            new Label("__meta_kubernetes_namespace", "prod"),
            new Label("team", "web"),
        ], 1);

        var body = Encoding.UTF8.GetString(ResponseWriter.TargetGroups([item]));

        Assert.Equal(
            "[{\"targets\":[\"10.0.0.1:9100\"],\"labels\":{\"__address__\":\"10.0.0.1:9100\",\"__meta_kubernetes_namespace\":\"prod\",\"team\":\"web\"}}]\n",
            body);
    }

    [Fact]
    public void TargetGroups_Empty_IsEmptyArrayWithNewline()
    {
        Assert.Equal("[]\n", Encoding.UTF8.GetString(ResponseWriter.TargetGroups([])));
    }

    [Fact]
    public void TargetGroups_EmptyValuedLabels_AreServed()
    {
        var item = new TargetItem("job", "a:1", [new Label("__address__", "a:1"), new Label("x", "")], 1);

        Assert.Contains("\"x\":\"\"", Encoding.UTF8.GetString(ResponseWriter.TargetGroups([item])), StringComparison.Ordinal);
    }

    [Fact]
    public void Jobs_EscapesJobNamesInLinks_AndSortsKeys()
    {
        var body = Encoding.UTF8.GetString(ResponseWriter.Jobs(["serviceMonitor/ns/app/0", "otel-collector"]));

        Assert.Equal(
            "{\"otel-collector\":{\"_link\":\"/jobs/otel-collector/targets\"},\"serviceMonitor/ns/app/0\":{\"_link\":\"/jobs/serviceMonitor%2Fns%2Fapp%2F0/targets\"}}\n",
            body);
    }

    [Fact]
    public void Jobs_None_IsEmptyObject()
    {
        Assert.Equal("{}\n", Encoding.UTF8.GetString(ResponseWriter.Jobs([])));
    }

    [Fact]
    public void CollectorMap_ListsEveryCollector_WithUpstreamLink()
    {
        var targets = Encoding.UTF8.GetBytes("[{\"targets\":[\"a:1\"],\"labels\":{\"__address__\":\"a:1\"}}]\n");

        var body = Encoding.UTF8.GetString(ResponseWriter.CollectorMap("my job", ["c-0", "c-1"], c => c == "c-0" ? targets : ServingSnapshot.EmptyTargets));

        Assert.Equal(
            "{\"c-0\":{\"_link\":\"/debug/jobs/my+job/targets?collector_id=c-0\",\"targets\":[{\"targets\":[\"a:1\"],\"labels\":{\"__address__\":\"a:1\"}}]}," +
            "\"c-1\":{\"_link\":\"/debug/jobs/my+job/targets?collector_id=c-1\",\"targets\":[]}}\n",
            body);
    }
}
