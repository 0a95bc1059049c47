using Quartermaster.Core.Discovery;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Config;

/// <summary>One Prometheus <c>scrape_configs</c> entry after Prometheus' defaults and validation.</summary>
public sealed class ScrapeConfig
{
    public required string JobName { get; init; }

    public PromDuration ScrapeInterval { get; set; }

    public PromDuration ScrapeTimeout { get; set; }

    public string MetricsPath { get; set; } = "/metrics";

    public string Scheme { get; set; } = "http";

    /// <summary><c>params</c>: query parameters in the order the config lists them.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Params { get; set; } = [];

    public IReadOnlyList<RelabelConfig> RelabelConfigs { get; set; } = [];

    public IReadOnlyList<RelabelConfig> MetricRelabelConfigs { get; set; } = [];

    public HttpClientConfig HttpClient { get; set; } = new();

    /// <summary>All <c>static_configs</c> entries; group sources are <c>"0"</c>, <c>"1"</c>, … as in Prometheus.</summary>
    public IReadOnlyList<TargetGroup> StaticConfigs { get; set; } = [];

    public IReadOnlyList<FileSdConfig> FileSdConfigs { get; set; } = [];

    public IReadOnlyList<HttpSdConfig> HttpSdConfigs { get; set; } = [];

    /// <summary><c>kubernetes_sd_configs</c>: parsed and serialised; discovery is provided elsewhere.</summary>
    public IReadOnlyList<KubernetesSdConfig> KubernetesSdConfigs { get; set; } = [];

    public bool HonorLabels { get; set; }

    public bool HonorTimestamps { get; set; } = true;

    public bool TrackTimestampsStaleness { get; set; }

    /// <summary>After validation: the job's own list, the global one, or Prometheus' default.</summary>
    public IReadOnlyList<string>? ScrapeProtocols { get; set; }

    public string FallbackScrapeProtocol { get; set; } = "";

    public bool? ScrapeNativeHistograms { get; set; }

    public bool? AlwaysScrapeClassicHistograms { get; set; }

    public bool? ConvertClassicHistogramsToNhcb { get; set; }

    public string ScrapeFailureLogFile { get; set; } = "";

    public bool EnableCompression { get; set; } = true;

    /// <summary><c>body_size_limit</c> in bytes (base-2 units); 0 means no limit.</summary>
    public long BodySizeLimit { get; set; }

    public ulong SampleLimit { get; set; }

    public ulong TargetLimit { get; set; }

    public ulong LabelLimit { get; set; }

    public ulong LabelNameLengthLimit { get; set; }

    public ulong LabelValueLengthLimit { get; set; }

    public ulong NativeHistogramBucketLimit { get; set; }

    public double NativeHistogramMinBucketFactor { get; set; }

    public ulong KeepDroppedTargets { get; set; }

    /// <summary><c>utf8</c> or <c>legacy</c> after validation.</summary>
    public string MetricNameValidationScheme { get; set; } = "";

    public string MetricNameEscapingScheme { get; set; } = "";

    public bool? ExtraScrapeMetrics { get; set; }
}

/// <summary>A <c>file_sd_configs</c> entry.</summary>
public sealed class FileSdConfig
{
    public IReadOnlyList<string> Files { get; init; } = [];

    public PromDuration RefreshInterval { get; init; } = PromDuration.FromSeconds(300);
}

/// <summary>An <c>http_sd_configs</c> entry.</summary>
public sealed class HttpSdConfig
{
    public required string Url { get; init; }

    public PromDuration RefreshInterval { get; init; } = PromDuration.FromSeconds(60);

    public HttpClientConfig HttpClient { get; init; } = new();
}
