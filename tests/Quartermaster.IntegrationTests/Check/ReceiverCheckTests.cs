using System.Text.RegularExpressions;
using Quartermaster.Cli.Check;

namespace Quartermaster.IntegrationTests.Check;

/// <summary><c>qmctl check receiver</c> offline: the seed's manifest and golden cases in TestData/qmctl/receivers.</summary>
public sealed partial class ReceiverCheckTests
{
    private static readonly string DataDirectory = Path.Combine(AppContext.BaseDirectory, "TestData", "qmctl");

    public static TheoryData<string> Cases() =>
        [.. Directory.GetFiles(Path.Combine(DataDirectory, "receivers"), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string file, string output = "table")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await ReceiverCheck.RunAsync(file, null, null, output, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Run_SeedManifest_ReportsTheReceiverAndItsSettings()
    {
        var file = Path.Combine(DataDirectory, "seed-otelcol-v1alpha1.yaml");

        var analysis = ReceiverAnalyzer.Analyze(await File.ReadAllTextAsync(file), file);
        var (exit, output, error) = await RunAsync(file);

        var receiver = Assert.Single(analysis.Receivers);
        Assert.Equal("prometheus", receiver.Name);
        Assert.Equal("spec.config.receivers.prometheus", receiver.Path);
        Assert.StartsWith("OpenTelemetryCollector otelcol (opentelemetry.io/v1alpha1)", receiver.Source, StringComparison.Ordinal);
        Assert.Equal("http://otelcol-targetallocator", receiver.Endpoint);
        Assert.Equal("30s", receiver.Interval);
        Assert.Equal("${POD_NAME}", receiver.CollectorId);
        Assert.DoesNotContain(receiver.Findings, f => f.Level == FindingLevel.Error);
        Assert.Contains(receiver.Findings, f => f is { Level: FindingLevel.Ok, Path: "spec.config.receivers.prometheus.target_allocator.interval" });
        Assert.Contains(receiver.Findings, f => f is { Level: FindingLevel.Warn, Path: "spec.targetAllocator.enabled" });
        Assert.Contains(analysis.FileFindings, f => f.Message.Contains("elided", StringComparison.Ordinal));
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("receiver prometheus in OpenTelemetryCollector otelcol", output, StringComparison.Ordinal);
        Assert.Matches(@"endpoint\s+http://otelcol-targetallocator", output);
        Assert.Matches(@"collector_id\s+\$\{POD_NAME\}", output);
        Assert.Contains("1 Prometheus receiver(s): 0 error(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SeedManifestAsJson_CarriesTheSettings()
    {
        var (exit, output, _) = await RunAsync(Path.Combine(DataDirectory, "seed-otelcol-v1alpha1.yaml"), "json");

        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var receiver = Assert.Single(doc.RootElement.GetProperty("receivers").EnumerateArray().ToList());
        Assert.Equal(0, exit);
        Assert.Equal("http://otelcol-targetallocator", receiver.GetProperty("endpoint").GetString());
        Assert.Equal("${POD_NAME}", receiver.GetProperty("collector_id").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("errors").GetInt32());
    }

    /// <summary>Each file lists the findings it must produce in <c># expect: LEVEL path :: message part</c> lines.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Analyze_GoldenCase_ProducesTheExpectedFindings(string name)
    {
        var file = Path.Combine(DataDirectory, "receivers", name);
        var text = await File.ReadAllTextAsync(file);
        var expected = ExpectLine().Matches(text).Select(m => (Level: m.Groups["level"].Value, Path: m.Groups["path"].Value, Message: m.Groups["message"].Value)).ToList();

        var analysis = ReceiverAnalyzer.Analyze(text, name);
        var (exit, _, error) = await RunAsync(file);

        Assert.Null(analysis.Failure);
        Assert.NotEmpty(expected);
        var all = analysis.Receivers.SelectMany(r => r.Findings).Concat(analysis.FileFindings).ToList();
        foreach (var (level, path, message) in expected)
        {
            Assert.True(
                all.Any(f => f.LevelText == level && f.Path == path && f.Message.Contains(message, StringComparison.Ordinal)),
                $"expected {level} {path} :: {message}; found:\n{string.Join('\n', all.Select(f => $"{f.LevelText} {f.Path} :: {f.Message}"))}");
        }

        var hasErrors = expected.Any(e => e.Level == "ERROR");
        Assert.Equal(hasErrors ? 1 : 0, exit);
        Assert.Equal(hasErrors, error.Contains("error(s) in its Prometheus receiver configuration", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"$1\"", "\"$$1\"", 1)]
    [InlineData("\"${1}\"", "\"$${1}\"", 1)]
    [InlineData("\"$$1 $$2\"", "\"$$1 $$2\"", 0)]
    [InlineData("\"$(SHARD) $1$2\"", "\"$(SHARD) $$1$$2\"", 2)]
    [InlineData("\"a$\"", "\"a$\"", 0)]
    [InlineData("\"${name}\"", "\"${name}\"", 0)]
    public void EscapeCaptureReferences_DoublesOnlyUnescapedCaptureReferences(string value, string expected, int count)
    {
        var result = ReceiverAnalyzer.EscapeCaptureReferences(value, out var unescaped);

        Assert.Equal(expected, result);
        Assert.Equal(count, unescaped);
    }

    [Fact]
    public async Task Run_NotYaml_SaysSoAndExitsOne()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("qm-check-").FullName, "broken.yaml");
        await File.WriteAllTextAsync(file, "receivers: [prometheus:\n  - {");

        var (exit, output, error) = await RunAsync(file);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"qmctl: {file} is not YAML: ", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Run_NoPrometheusReceiver_SaysSoAndNamesTheReceiversFound()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("qm-check-").FullName, "otlp.yaml");
        await File.WriteAllTextAsync(file, "receivers:\n  otlp: {}\n  prometheus_simple: {}\nservice: {}\n");

        var (exit, _, error) = await RunAsync(file);

        Assert.Equal(1, exit);
        Assert.Contains("holds no Prometheus receiver", error, StringComparison.Ordinal);
        Assert.Contains("otlp, prometheus_simple", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingFile_ExitsOneWithOneLine()
    {
        var (exit, _, error) = await RunAsync(Path.Combine(Path.GetTempPath(), "qm-no-such-file.yaml"));

        Assert.Equal(1, exit);
        Assert.StartsWith("qmctl: cannot read ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("0", 0)]
    [InlineData("-2s", -2_000)]
    public void GoDuration_TryParse_AcceptsGoSyntax(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(milliseconds, (long)value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("1d")]
    [InlineData("1..2s")]
    [InlineData("soon")]
    public void GoDuration_TryParse_RejectsOtherText(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [GeneratedRegex(@"^# expect: (?<level>OK|WARN|ERROR) (?<path>.+?) :: (?<message>.+?)\r?$", RegexOptions.Multiline)]
    private static partial Regex ExpectLine();
}
