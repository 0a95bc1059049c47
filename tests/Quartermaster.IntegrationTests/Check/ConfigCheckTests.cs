using Quartermaster.Cli.Check;

namespace Quartermaster.IntegrationTests.Check;

/// <summary><c>qmctl check config</c> loads targetallocator.yaml as the service does.</summary>
public sealed class ConfigCheckTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(string yaml, Func<string, string?>? environment = null)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("qm-check-").FullName, "targetallocator.yaml");
        await File.WriteAllTextAsync(file, yaml);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await ConfigCheck.RunAsync(file, environment ?? (_ => null), stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Run_ValidConfig_PrintsOkWithSummary()
    {
        var (exit, output, error) = await RunAsync("""
            allocation_strategy: least-weighted
            prometheus_cr: {enabled: false}
            collectors:
              static: [collector-0, {id: collector-1, node: node-a}]
            config:
              scrape_configs:
                - job_name: app
                  static_configs: [{targets: ["10.0.0.1:9100"]}]
                - job_name: node
                  static_configs: [{targets: ["10.0.0.2:9100"]}]
            """);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains(": OK", output, StringComparison.Ordinal);
        Assert.Matches(@"jobs\s+2: app, node", output);
        Assert.Matches(@"allocation_strategy\s+least-weighted", output);
        Assert.Matches(@"filter_strategy\s+relabel-config", output);
        Assert.Matches(@"prometheus_cr.enabled\s+false", output);
        Assert.Matches(@"https.enabled\s+false", output);
        Assert.Matches(@"collectors\s+static: collector-0, collector-1@node-a", output);
    }

    [Fact]
    public async Task Run_KubernetesCollectors_UsesTheEnvironmentLikeTheService()
    {
        var (exit, output, _) = await RunAsync(
            "collector_selector: {matchLabels: {app: otel}}\nprometheus_cr: {enabled: true}\n",
            name => name == "OTELCOL_NAMESPACE" ? "observability" : null);

        Assert.Equal(0, exit);
        Assert.Contains("Kubernetes pods in namespace observability matching app=otel", output, StringComparison.Ordinal);
        Assert.Matches(@"prometheus_cr.enabled\s+true", output);
    }

    [Fact]
    public async Task Run_InvalidConfig_ListsEveryErrorByKey_AndExitsOne()
    {
        var (exit, output, error) = await RunAsync("""
            allocation_strategy: round-robin
            collectors:
              static: [collector-0]
            config:
              scrape_configs:
                - job_name: app
                  static_configs: [{targets: ["10.0.0.1:9100"]}]
                  relabel_configs:
                    - source_labels: [__address__]
                      regex: "(unclosed"
                      target_label: x
            """);

        Assert.Equal(1, exit);
        Assert.Contains("INVALID, 2 error(s)", output, StringComparison.Ordinal);
        Assert.Contains("ERROR  allocation_strategy:", output, StringComparison.Ordinal);
        Assert.Contains("ERROR  config.scrape_configs[0].relabel_configs[0]:", output, StringComparison.Ordinal);
        Assert.Contains("missing closing )", output, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("is not a valid allocator configuration", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownKey_IsAWarningNamingIt()
    {
        var (exit, output, _) = await RunAsync(
            "collectors: {static: [c0]}\nconfig: {scrape_configs: [{job_name: a, static_configs: [{targets: [\"a:1\"]}]}]}\nallocation_stratgy: per-node\n");

        Assert.Equal(0, exit);
        Assert.Contains("WARN  allocation_stratgy: unknown key ignored", output, StringComparison.Ordinal);
        Assert.Matches(@"allocation_strategy\s+consistent-hashing", output);
    }

    [Fact]
    public async Task Run_MissingFile_ExitsOneWithOneLine()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await ConfigCheck.RunAsync(Path.Combine(Path.GetTempPath(), "qm-no-such.yaml"), _ => null, stdout, stderr, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.StartsWith("qmctl: cannot read ", stderr.ToString(), StringComparison.Ordinal);
    }
}
