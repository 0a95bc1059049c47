using OpenTelemetry.Metrics;
using Quartermaster.Core.Config;
using Quartermaster.Hosting;

namespace Quartermaster.Tests.Hosting;

public sealed class SelfTelemetryTests
{
    private static string? Env(string name) => name switch
    {
        "TA_TOKEN" => "s3cret",
        "HOST" => "collector.example",
        _ => null,
    };

    [Theory]
    [InlineData("Api-Token ${env:TA_TOKEN}", "Api-Token s3cret")]
    [InlineData("${env:UNSET}x", "x")]
    [InlineData("${env:1BAD}", "${env:1BAD}")]
    [InlineData("$TA_TOKEN ${TA_TOKEN}", "$TA_TOKEN ${TA_TOKEN}")]
    [InlineData("${env:HOST}:${env:TA_TOKEN}", "collector.example:s3cret")]
    public void ExpandEnvRefs_References_ReplacedLikeUpstream(string value, string expected)
    {
        Assert.Equal(expected, SelfTelemetry.ExpandEnvRefs(value, Env));
    }

    [Theory]
    [InlineData("http", "ingest.example.com:4318", false, "https://ingest.example.com:4318/v1/metrics")]
    [InlineData("http", "ingest.example.com:4318", true, "http://ingest.example.com:4318/v1/metrics")]
    [InlineData("http", "https://ingest.example.com/", false, "https://ingest.example.com/v1/metrics")]
    [InlineData("http", "http://127.0.0.1:4318/v1/metrics/", false, "http://127.0.0.1:4318/v1/metrics")]
    [InlineData("http", "http://h:1/otlp", false, "http://h:1/otlp/v1/metrics")]
    [InlineData("grpc", "example.com:4317", true, "http://example.com:4317/")]
    [InlineData("grpc", "example.com:4317", false, "https://example.com:4317/")]
    [InlineData("grpc", "${env:HOST}:4317", true, "http://collector.example:4317/")]
    public void ExporterEndpoint_Forms_UrlTheExporterUses(string protocol, string endpoint, bool insecure, string expected)
    {
        var reader = new OtlpReaderConfig { Protocol = protocol, Endpoint = endpoint, Insecure = insecure };

        Assert.Equal(expected, SelfTelemetry.ExporterEndpoint(reader, Env).ToString());
    }

    [Fact]
    public void Headers_Several_JoinedAndExpanded()
    {
        var reader = new OtlpReaderConfig
        {
            Headers = [new("Authorization", "Api-Token ${env:TA_TOKEN}"), new("X-Tenant", "a")],
        };

        Assert.Equal("Authorization=Api-Token s3cret,X-Tenant=a", SelfTelemetry.Headers(reader, Env));
    }

    [Theory]
    [InlineData("", MetricReaderTemporalityPreference.Cumulative)]
    [InlineData("cumulative", MetricReaderTemporalityPreference.Cumulative)]
    [InlineData("delta", MetricReaderTemporalityPreference.Delta)]
    [InlineData("low_memory", MetricReaderTemporalityPreference.Delta)]
    public void Temporality_Preference_MapsToSdk(string preference, MetricReaderTemporalityPreference expected)
    {
        Assert.Equal(expected, SelfTelemetry.Temporality(preference));
    }
}
