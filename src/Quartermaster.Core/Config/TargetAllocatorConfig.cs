namespace Quartermaster.Core.Config;

/// <summary>
/// The allocator's configuration: the upstream <c>targetallocator.yaml</c> keys plus Quartermaster's extensions,
/// after defaults, file, environment and flags have been merged (in that order of precedence).
/// </summary>
public sealed class TargetAllocatorConfig
{
    public const string DefaultConfigFilePath = "/conf/targetallocator.yaml";

    public string ListenAddr { get; set; } = ":8080";

    public string KubeConfigFilePath { get; set; } = "";

    public LabelSelector? CollectorSelector { get; set; }

    public string CollectorNamespace { get; set; } = "";

    /// <summary>The parsed <c>config:</c> block; <c>null</c> when the key is absent.</summary>
    public PrometheusConfig? PromConfig { get; set; }

    public string AllocationStrategy { get; set; } = "consistent-hashing";

    public string AllocationFallbackStrategy { get; set; } = "";

    public string FilterStrategy { get; set; } = "relabel-config";

    public PrometheusCrConfig PrometheusCr { get; set; } = new();

    public HttpsServerConfig Https { get; set; } = new();

    public TimeSpan CollectorNotReadyGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    public bool AllowInsecureAuthSecrets { get; set; }

    /// <summary>Extension: collectors known without Kubernetes (<c>collectors.static</c>).</summary>
    public CollectorsConfig Collectors { get; set; } = new();

    /// <summary>
    /// Extension: which consistent-hashing ring layout to reproduce (<c>consistent_hashing.ring_version</c>):
    /// <c>v0.10</c> (every released upstream allocator, the default) or <c>v1.0</c>.
    /// </summary>
    public string ConsistentHashingRingVersion { get; set; } = "v0.10";

    /// <summary>Extension: the overload guard of the HTTP API (<c>http_server</c>).</summary>
    public HttpServerConfig HttpServer { get; set; } = new();

    public bool RelabelFilteringEnabled => FilterStrategy == "relabel-config";

    /// <summary>The <c>telemetry</c> block as YAML text, as written; null when absent. <see cref="Telemetry"/> is its model.</summary>
    public string? TelemetryYaml { get; set; }

    /// <summary>The modelled <c>telemetry</c> block: OTLP periodic readers for the allocator's own metrics.</summary>
    public TelemetryConfig Telemetry { get; set; } = new();

    /// <summary>Non-fatal findings of loading, such as unknown keys that were ignored.</summary>
    public IReadOnlyList<string> Warnings { get; set; } = [];
}

/// <summary>The <c>config:</c> block: Prometheus' <c>global</c> and <c>scrape_configs</c>.</summary>
public sealed class PrometheusConfig
{
    public GlobalConfig Global { get; set; } = new();

    public IReadOnlyList<ScrapeConfig> ScrapeConfigs { get; set; } = [];
}

public sealed class GlobalConfig
{
    public PromDuration ScrapeInterval { get; set; } = PromDuration.FromSeconds(60);

    public PromDuration ScrapeTimeout { get; set; } = PromDuration.FromSeconds(10);

    public PromDuration EvaluationInterval { get; set; } = PromDuration.FromSeconds(60);

    public IReadOnlyList<string>? ScrapeProtocols { get; set; }

    public long BodySizeLimit { get; set; }

    public ulong SampleLimit { get; set; }

    public ulong TargetLimit { get; set; }

    public ulong LabelLimit { get; set; }

    public ulong LabelNameLengthLimit { get; set; }

    public ulong LabelValueLengthLimit { get; set; }

    public ulong KeepDroppedTargets { get; set; }

    public string ScrapeFailureLogFile { get; set; } = "";

    public bool ScrapeNativeHistograms { get; set; }

    public bool AlwaysScrapeClassicHistograms { get; set; }

    public bool ConvertClassicHistogramsToNhcb { get; set; }

    public bool ExtraScrapeMetrics { get; set; }

    /// <summary><c>utf8</c> or <c>legacy</c>; empty until resolved.</summary>
    public string MetricNameValidationScheme { get; set; } = "";

    public string MetricNameEscapingScheme { get; set; } = "";

    public IReadOnlyList<KeyValuePair<string, string>> ExternalLabels { get; set; } = [];
}

/// <summary>A Kubernetes label selector (<c>matchLabels</c>, <c>matchExpressions</c>).</summary>
public sealed class LabelSelector
{
    public IReadOnlyDictionary<string, string> MatchLabels { get; set; } = new Dictionary<string, string>();

    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; set; } = [];
}

public sealed record LabelSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values);

public sealed class PrometheusCrConfig
{
    public bool Enabled { get; set; }

    public IReadOnlyList<string>? AllowNamespaces { get; set; }

    public IReadOnlyList<string>? DenyNamespaces { get; set; }

    public PromDuration ScrapeInterval { get; set; } = PromDuration.FromSeconds(30);

    public PromDuration EvaluationInterval { get; set; }

    /// <summary>Default: OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4.</summary>
    public IReadOnlyList<string> ScrapeProtocols { get; set; } = DefaultScrapeProtocols;

    public IReadOnlyList<string>? SecretNamespaces { get; set; }

    public bool DenyFsAccessThroughSms { get; set; }

    /// <summary><c>null</c> selects nothing (prometheus-operator semantics).</summary>
    public LabelSelector? PodMonitorSelector { get; set; }

    /// <summary>Defaults to the empty selector: all namespaces.</summary>
    public LabelSelector? PodMonitorNamespaceSelector { get; set; } = new();

    public LabelSelector? ServiceMonitorSelector { get; set; }

    public LabelSelector? ServiceMonitorNamespaceSelector { get; set; } = new();

    public LabelSelector? ScrapeConfigSelector { get; set; }

    public LabelSelector? ScrapeConfigNamespaceSelector { get; set; } = new();

    public LabelSelector? ProbeSelector { get; set; }

    public LabelSelector? ProbeNamespaceSelector { get; set; } = new();

    public const string OperatorGenerationCurrent = "current";

    public const string OperatorGenerationV078 = "v0.78";

    /// <summary>
    /// Extension (<c>operator_generation</c>): which Prometheus Operator generation's scrape configs to reproduce:
    /// <c>current</c> (v0.93, as current upstream allocators) or <c>v0.78</c> (operators v0.61–v0.78, as allocators
    /// up to v0.121 served them, with the two-rule sharding tail).
    /// </summary>
    public string OperatorGeneration { get; set; } = OperatorGenerationCurrent;

    /// <summary><c>scrape_classes</c> kept as the YAML text of the sequence, for the CR watcher to decode.</summary>
    public string? ScrapeClassesYaml { get; set; }

    public static IReadOnlyList<string> DefaultScrapeProtocols { get; } =
        ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
}

public sealed class HttpsServerConfig
{
    public bool Enabled { get; set; }

    public string ListenAddr { get; set; } = ":8443";

    public string CaFilePath { get; set; } = "";

    public string TlsCertFilePath { get; set; } = "";

    public string TlsKeyFilePath { get; set; } = "";
}

/// <summary>
/// Extension (<c>http_server</c>): how many API and UI requests are handled at once, how many wait for their turn
/// (oldest first) before the rest are answered 503, and an optional connection limit. Probes and <c>/metrics</c>
/// are never limited.
/// </summary>
public sealed class HttpServerConfig
{
    /// <summary>The default queue length: requests waiting for a permit before new ones are rejected.</summary>
    public const int DefaultQueueLimit = 1000;

    /// <summary>The default number of permits: four requests per processor.</summary>
    public static int DefaultConcurrencyLimit => 4 * Environment.ProcessorCount;

    /// <summary><c>concurrency_limit</c>: requests handled at once; at least 1.</summary>
    public int ConcurrencyLimit { get; set; } = DefaultConcurrencyLimit;

    /// <summary><c>queue_limit</c>: requests waiting for a permit, oldest first; 0 rejects as soon as every permit is taken.</summary>
    public int QueueLimit { get; set; } = DefaultQueueLimit;

    /// <summary><c>max_connections</c>: Kestrel's limit on open connections per listener; <c>null</c> (the default) is unlimited.</summary>
    public long? MaxConnections { get; set; }

    /// <summary>
    /// <c>compress_stored_bodies</c>: keep each served target list only gzip-compressed in memory (about a quarter
    /// of the size), compressed once per change; clients that do not accept gzip get it decompressed per request.
    /// </summary>
    public bool CompressStoredBodies { get; set; }
}

/// <summary>Extension for use outside Kubernetes: a fixed list of collectors.</summary>
public sealed class CollectorsConfig
{
    /// <summary><c>null</c> when <c>collectors.static</c> is absent (collectors come from Kubernetes).</summary>
    public IReadOnlyList<StaticCollector>? Static { get; set; }
}

/// <summary>A collector listed in <c>collectors.static</c>: a plain id, or <c>{id, node}</c>.</summary>
public sealed record StaticCollector(string Id, string Node = "");
