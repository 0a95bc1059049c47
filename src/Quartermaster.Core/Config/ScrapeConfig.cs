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
