namespace Quartermaster.Core.Config;

/// <summary>
/// The <c>telemetry</c> block (spec upstream-ta.md §1.4): periodic readers that push the allocator's own metrics
/// over OTLP. Readers without <c>periodic</c> are ignored, as upstream does.
/// </summary>
public sealed class TelemetryConfig
{
    public IReadOnlyList<OtlpReaderConfig> Readers { get; set; } = [];
}

/// <summary>One <c>telemetry.metrics.readers[].periodic</c> entry with its OTLP exporter.</summary>
public sealed class OtlpReaderConfig
{
    /// <summary><c>grpc</c> for <c>otlp_grpc</c>, <c>http</c> for <c>otlp_http</c>.</summary>
    public string Protocol { get; set; } = "grpc";

    /// <summary>The endpoint as written (<c>host:port</c> or a URL); <c>${env:VAR}</c> references not yet expanded.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Header names and values as written; values may hold <c>${env:VAR}</c> references.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; set; } = [];

    /// <summary><c>""</c> (SDK default, cumulative), <c>cumulative</c>, <c>delta</c> or <c>low_memory</c>.</summary>
    public string TemporalityPreference { get; set; } = "";

    /// <summary>The export interval; null keeps the SDK default (60 s).</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>The export timeout; null keeps the SDK default (30 s).</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary><c>tls.insecure</c> (or <c>insecure</c>): plain text when the endpoint carries no scheme.</summary>
    public bool Insecure { get; set; }
}
