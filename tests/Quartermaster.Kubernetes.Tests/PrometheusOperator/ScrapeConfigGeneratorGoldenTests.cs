using Quartermaster.Kubernetes.PrometheusOperator;

namespace Quartermaster.Kubernetes.Tests.PrometheusOperator;

/// <summary>
/// One folder per case under TestData/PrometheusOperator: <c>resource.yaml</c> (the resources, one YAML document
/// each), optional <c>settings.yaml</c> (the body of <c>prometheus_cr</c>), optional <c>assets.yaml</c> (Secrets and
/// ConfigMaps), <c>expected.yaml</c> (the scrape configs prometheus-operator writes for them) and optional
/// <c>rejected.txt</c> (one <c>Kind namespace/name: reason</c> line per rejected resource). Generated and expected
/// configs are both parsed as Prometheus does and compared as <c>/scrape_configs</c> serves them.
/// </summary>
public sealed class ScrapeConfigGeneratorGoldenTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "TestData", "PrometheusOperator");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_Case_MatchesExpectedScrapeConfigs(string name)
    {
        var dir = Path.Combine(Root, name);
        string? Optional(string file) => File.Exists(Path.Combine(dir, file)) ? File.ReadAllText(Path.Combine(dir, file)) : null;
        var settings = TestResources.Settings(Optional("settings.yaml"));
        var resources = TestResources.Resources(File.ReadAllText(Path.Combine(dir, "resource.yaml")));

        var result = ScrapeConfigGenerator.Generate(resources, settings, TestResources.Assets(Optional("assets.yaml")));
        var parsed = ScrapeConfigGenerator.ParseJobs(result, settings);

        var expectedRejections = (Optional("rejected.txt") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rejections = result.Rejected.Concat(parsed.Rejected).Select(r => $"{r.Kind} {r.Namespace}/{r.Name}: {r.Reason}");
        Assert.Equal(expectedRejections, rejections);
        var expected = TestResources.ParseExpected(File.ReadAllText(Path.Combine(dir, "expected.yaml")), settings);
        Assert.Equal(expected.Select(j => j.JobName), parsed.Jobs.Select(j => j.JobName));
        Assert.Equal(TestResources.Json(expected), TestResources.Json(parsed.Jobs));
    }
}
