using Quartermaster.Core.Config;
using static Quartermaster.Core.Tests.Config.ConfigTestHelpers;

namespace Quartermaster.Core.Tests.Config;

public sealed class TelemetryConfigTests
{
    private const string MinimalJob = "config: {scrape_configs: [{job_name: a, static_configs: [{targets: ['h:1']}]}]}\n";

    [Fact]
    public void Load_TelemetryReaders_ModelsEveryKey()
    {
        var c = Load(MinimalJob + """
            telemetry:
              metrics:
                readers:
                  - periodic:
                      interval: 60000
                      timeout: 30000
                      exporter:
                        otlp_grpc:
                          endpoint: "example.com:4317"
                          headers: [{name: Authorization, value: "Api-Token ${env:TA_TOKEN}"}]
                          temporality_preference: delta
                          tls: {insecure: true}
                  - pull: {}
                  - periodic:
                      exporter:
                        otlp_http:
                          endpoint: "https://ingest.example.com/"
                          temporality_preference: cumulative
            """);

        Assert.Equal(2, c.Telemetry.Readers.Count);
        var grpc = c.Telemetry.Readers[0];
        Assert.Equal("grpc", grpc.Protocol);
        Assert.Equal("example.com:4317", grpc.Endpoint);
        Assert.Equal([new KeyValuePair<string, string>("Authorization", "Api-Token ${env:TA_TOKEN}")], grpc.Headers);
        Assert.Equal("delta", grpc.TemporalityPreference);
        Assert.Equal(TimeSpan.FromSeconds(60), grpc.Interval);
        Assert.Equal(TimeSpan.FromSeconds(30), grpc.Timeout);
        Assert.True(grpc.Insecure);
        var http = c.Telemetry.Readers[1];
        Assert.Equal("http", http.Protocol);
        Assert.Equal("https://ingest.example.com/", http.Endpoint);
        Assert.Null(http.Interval);
        Assert.Null(http.Timeout);
        Assert.False(http.Insecure);
        Assert.Empty(http.Headers);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void Load_NonPositiveInterval_KeepsSdkDefault(string interval)
    {
        var c = Load(MinimalJob + $"telemetry: {{metrics: {{readers: [{{periodic: {{interval: {interval}, exporter: {{otlp_http: {{endpoint: 'h:4318'}}}}}}}}]}}}}\n");

        Assert.Null(Assert.Single(c.Telemetry.Readers).Interval);
    }

    [Fact]
    public void Load_NoTelemetry_NoReaders()
    {
        Assert.Empty(Load(MinimalJob).Telemetry.Readers);
    }
}
