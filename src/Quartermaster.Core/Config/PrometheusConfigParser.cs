using System.Text.RegularExpressions;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Core.Config;

/// <summary>
/// Decodes the <c>config:</c> block as the upstream allocator does (yaml.v2 into Prometheus' config types, defaults,
/// then <c>ScrapeConfig.Validate(global)</c> per job and the duplicate-name check), reporting every error.
/// </summary>
internal sealed partial class PrometheusConfigParser
{
    public const string StaticConfigsKey = "static_configs";
    public const string FileSdConfigsKey = "file_sd_configs";
    public const string HttpSdConfigsKey = "http_sd_configs";
    public const string KubernetesSdConfigsKey = "kubernetes_sd_configs";

    private static readonly string[] KnownProtocols =
        ["OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0"];

    private static readonly string[] ProtoFirstProtocols =
        ["PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];

    private static readonly string[] EscapingSchemes = ["allow-utf-8", "underscores", "dots", "values"];

    private static readonly HashSet<string> IgnoredTopLevelKeys = new(StringComparer.Ordinal)
    {
        "alerting", "rule_files", "remote_write", "remote_read", "storage", "tracing", "otlp", "runtime",
    };

    private static readonly string[] GlobalKeys =
    [
        "scrape_interval", "scrape_timeout", "evaluation_interval", "scrape_protocols", "body_size_limit", "sample_limit",
        "target_limit", "label_limit", "label_name_length_limit", "label_value_length_limit", "keep_dropped_targets",
        "scrape_failure_log_file", "scrape_native_histograms", "always_scrape_classic_histograms",
        "convert_classic_histograms_to_nhcb", "extra_scrape_metrics", "metric_name_validation_scheme",
        "metric_name_escaping_scheme", "external_labels", "rule_query_offset", "query_log_file",
    ];

    private static readonly HashSet<string> ScrapeKeys = new(StringComparer.Ordinal)
    {
        "job_name", "honor_labels", "honor_timestamps", "track_timestamps_staleness", "params", "scrape_interval",
        "scrape_timeout", "scrape_protocols", "fallback_scrape_protocol", "scrape_native_histograms",
        "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb", "scrape_failure_log_file",
        "metrics_path", "scheme", "enable_compression", "body_size_limit", "sample_limit", "target_limit", "label_limit",
        "label_name_length_limit", "label_value_length_limit", "native_histogram_bucket_limit",
        "native_histogram_min_bucket_factor", "keep_dropped_targets", "metric_name_validation_scheme",
        "metric_name_escaping_scheme", "extra_scrape_metrics", "relabel_configs", "metric_relabel_configs",
        StaticConfigsKey, FileSdConfigsKey, HttpSdConfigsKey, KubernetesSdConfigsKey,
    };

    private static readonly string[] RelabelKeys = ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"];

    private readonly YamlReader _r;
    private readonly Func<RelabelConfig, string?>? _validateRelabel;
    private readonly IReadOnlySet<string> _supported;
    private readonly HttpClientConfigParser _http;

    public PrometheusConfigParser(YamlReader reader, Func<RelabelConfig, string?>? validateRelabel, IReadOnlySet<string> supportedMechanisms)
    {
        _r = reader;
        _validateRelabel = validateRelabel;
        _supported = supportedMechanisms;
        _http = new HttpClientConfigParser(reader);
    }

    public PrometheusConfig Parse(YamlNode node, string path)
    {
        var result = new PrometheusConfig();
        var map = _r.Mapping(node, path);
        if (map is null)
        {
            return result;
        }

        YamlNode? globalNode = null;
        YamlNode? scrapeNode = null;
        foreach (var entry in map.Children)
        {
            var key = (entry.Key as YamlScalarNode)?.Value ?? "";
            switch (key)
            {
                case "global":
                    globalNode = entry.Value;
                    break;
                case "scrape_configs":
                    scrapeNode = entry.Value;
                    break;
                case "scrape_config_files":
                    _r.Warn(YamlReader.Join(path, key), "ignored: the allocator only reads scrape_configs");
                    break;
                default:
                    if (!IgnoredTopLevelKeys.Contains(key))
                    {
                        _r.Warn(YamlReader.Join(path, key), "unknown key ignored");
                    }

                    break;
            }
        }

        result.Global = ParseGlobal(globalNode ?? new YamlMappingNode(), YamlReader.Join(path, "global"));
        if (scrapeNode is not null)
        {
            result.ScrapeConfigs = ParseScrapeConfigs(scrapeNode, YamlReader.Join(path, "scrape_configs"), result.Global);
        }

        return result;
    }

    private GlobalConfig ParseGlobal(YamlNode node, string path)
    {
        var g = new GlobalConfig();
        var map = _r.Mapping(node, path);
        if (map is null)
        {
            return g;
        }

        var keys = _r.MatchKeys(map, path, GlobalKeys, caseInsensitive: false);
        string P(string k) => YamlReader.Join(path, k);
        var interval = keys.TryGetValue("scrape_interval", out var n) ? _r.LoosePromDuration(n, P("scrape_interval")) : PromDuration.Zero;
        var timeout = keys.TryGetValue("scrape_timeout", out n) ? _r.LoosePromDuration(n, P("scrape_timeout")) : PromDuration.Zero;
        var evaluation = keys.TryGetValue("evaluation_interval", out n) ? _r.LoosePromDuration(n, P("evaluation_interval")) : PromDuration.Zero;
        if (interval == PromDuration.Zero)
        {
            interval = PromDuration.FromSeconds(60);
        }

        if (timeout > interval)
        {
            _r.Error(P("scrape_timeout"), "global scrape timeout greater than scrape interval");
        }

        if (timeout == PromDuration.Zero)
        {
            timeout = PromDuration.FromSeconds(10) > interval ? interval : PromDuration.FromSeconds(10);
        }

        g.ScrapeInterval = interval;
        g.ScrapeTimeout = timeout;
        g.EvaluationInterval = evaluation == PromDuration.Zero ? PromDuration.FromSeconds(60) : evaluation;
        if (keys.TryGetValue("scrape_protocols", out n) && !YamlReader.IsNull(n))
        {
            g.ScrapeProtocols = _r.LooseStringList(n, P("scrape_protocols"));
            if (ValidateProtocols(g.ScrapeProtocols) is { } error)
            {
                _r.Error(P("scrape_protocols"), error);
            }
        }

        g.BodySizeLimit = keys.TryGetValue("body_size_limit", out n) ? ParseByteSize(n, P("body_size_limit")) : 0;
        g.SampleLimit = UInt(keys, "sample_limit", path);
        g.TargetLimit = UInt(keys, "target_limit", path);
        g.LabelLimit = UInt(keys, "label_limit", path);
        g.LabelNameLengthLimit = UInt(keys, "label_name_length_limit", path);
        g.LabelValueLengthLimit = UInt(keys, "label_value_length_limit", path);
        g.KeepDroppedTargets = UInt(keys, "keep_dropped_targets", path);
        g.ScrapeFailureLogFile = keys.TryGetValue("scrape_failure_log_file", out n) ? _r.LooseString(n, P("scrape_failure_log_file")) : "";
        g.ScrapeNativeHistograms = Bool(keys, "scrape_native_histograms", path) ?? false;
        g.AlwaysScrapeClassicHistograms = Bool(keys, "always_scrape_classic_histograms", path) ?? false;
        g.ConvertClassicHistogramsToNhcb = Bool(keys, "convert_classic_histograms_to_nhcb", path) ?? false;
        g.ExtraScrapeMetrics = Bool(keys, "extra_scrape_metrics", path) ?? false;
        g.MetricNameValidationScheme = keys.TryGetValue("metric_name_validation_scheme", out n) ? _r.LooseString(n, P("metric_name_validation_scheme")) : "";
        g.MetricNameEscapingScheme = keys.TryGetValue("metric_name_escaping_scheme", out n) ? _r.LooseString(n, P("metric_name_escaping_scheme")) : "";
        if (keys.TryGetValue("external_labels", out n))
        {
            g.ExternalLabels = _r.LooseStringMap(n, P("external_labels"));
        }

        switch (g.MetricNameValidationScheme)
        {
            case "":
                g.MetricNameValidationScheme = "utf8";
                break;
            case "utf8" or "legacy":
                break;
            default:
                _r.Error(P("metric_name_validation_scheme"), $"unknown global name validation method specified, must be either '', 'legacy' or 'utf8', got {g.MetricNameValidationScheme}");
                g.MetricNameValidationScheme = "utf8";
                break;
        }

        if (g.MetricNameEscapingScheme.Length == 0)
        {
            g.MetricNameEscapingScheme = g.MetricNameValidationScheme == "legacy" ? "underscores" : "allow-utf-8";
        }
        else if (Array.IndexOf(EscapingSchemes, g.MetricNameEscapingScheme) < 0)
        {
            _r.Error(P("metric_name_escaping_scheme"), $"unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got {YamlReader.Quote(g.MetricNameEscapingScheme)}");
        }

        return g;
    }

    private List<ScrapeConfig> ParseScrapeConfigs(YamlNode node, string path, GlobalConfig global)
    {
        var result = new List<ScrapeConfig>();
        var items = _r.Sequence(node, path);
        if (items is null)
        {
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlReader.Index(path, i);
            if (YamlReader.IsNull(items[i]))
            {
                _r.Error(itemPath, "empty or null scrape config section");
                continue;
            }

            var map = _r.Mapping(items[i], itemPath);
            if (map is null)
            {
                continue;
            }

            var sc = ParseScrapeConfig(map, itemPath, global);
            if (sc is null)
            {
                continue;
            }

            if (!seen.Add(sc.JobName))
            {
                _r.Error(YamlReader.Join(itemPath, "job_name"), $"found multiple scrape configs with job name {YamlReader.Quote(sc.JobName)}");
                continue;
            }

            result.Add(sc);
        }

        return result;
    }

    private ScrapeConfig? ParseScrapeConfig(YamlMappingNode map, string path, GlobalConfig global)
    {
        var errorsBefore = _r.Errors.Count;
        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var httpKeys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var unsupported = new List<string>();
        foreach (var entry in map.Children)
        {
            var key = (entry.Key as YamlScalarNode)?.Value ?? "";
            if (HttpClientConfigParser.Keys.Contains(key))
            {
                httpKeys[key] = entry.Value;
            }
            else if (ScrapeKeys.Contains(key))
            {
                keys[key] = entry.Value;
            }
            else if (key.EndsWith("_sd_configs", StringComparison.Ordinal))
            {
                unsupported.Add(key);
            }
            else
            {
                _r.Warn(YamlReader.Join(path, key), "unknown key ignored");
            }
        }

        string P(string k) => YamlReader.Join(path, k);
        var jobName = keys.TryGetValue("job_name", out var n) ? _r.LooseString(n, P("job_name")) : "";
        foreach (var key in unsupported)
        {
            _r.Error(path, $"job {YamlReader.Quote(jobName)} uses {key}, which Quartermaster does not support");
        }

        foreach (var key in new[] { StaticConfigsKey, FileSdConfigsKey, HttpSdConfigsKey, KubernetesSdConfigsKey })
        {
            if (keys.ContainsKey(key) && !_supported.Contains(key))
            {
                _r.Error(path, $"job {YamlReader.Quote(jobName)} uses {key}, which Quartermaster does not support");
                keys.Remove(key);
            }
        }

        var sc = new ScrapeConfig { JobName = jobName };
        sc.HonorLabels = Bool(keys, "honor_labels", path) ?? false;
        sc.HonorTimestamps = Bool(keys, "honor_timestamps", path) ?? !keys.ContainsKey("honor_timestamps");
        sc.TrackTimestampsStaleness = Bool(keys, "track_timestamps_staleness", path) ?? false;
        if (keys.TryGetValue("params", out n))
        {
            sc.Params = ParseParams(n, P("params"));
        }

        sc.ScrapeInterval = keys.TryGetValue("scrape_interval", out n) ? _r.LoosePromDuration(n, P("scrape_interval")) : PromDuration.Zero;
        sc.ScrapeTimeout = keys.TryGetValue("scrape_timeout", out n) ? _r.LoosePromDuration(n, P("scrape_timeout")) : PromDuration.Zero;
        if (keys.TryGetValue("scrape_protocols", out n) && !YamlReader.IsNull(n))
        {
            sc.ScrapeProtocols = _r.LooseStringList(n, P("scrape_protocols"));
        }

        sc.FallbackScrapeProtocol = Str(keys, "fallback_scrape_protocol", path, "");
        sc.ScrapeNativeHistograms = Bool(keys, "scrape_native_histograms", path);
        sc.AlwaysScrapeClassicHistograms = Bool(keys, "always_scrape_classic_histograms", path);
        sc.ConvertClassicHistogramsToNhcb = Bool(keys, "convert_classic_histograms_to_nhcb", path);
        sc.ScrapeFailureLogFile = Str(keys, "scrape_failure_log_file", path, "");
        sc.MetricsPath = Str(keys, "metrics_path", path, "/metrics");
        sc.Scheme = Str(keys, "scheme", path, "http");
        sc.EnableCompression = Bool(keys, "enable_compression", path) ?? !keys.ContainsKey("enable_compression");
        sc.BodySizeLimit = keys.TryGetValue("body_size_limit", out n) ? ParseByteSize(n, P("body_size_limit")) : 0;
        sc.SampleLimit = UInt(keys, "sample_limit", path);
        sc.TargetLimit = UInt(keys, "target_limit", path);
        sc.LabelLimit = UInt(keys, "label_limit", path);
        sc.LabelNameLengthLimit = UInt(keys, "label_name_length_limit", path);
        sc.LabelValueLengthLimit = UInt(keys, "label_value_length_limit", path);
        sc.NativeHistogramBucketLimit = UInt(keys, "native_histogram_bucket_limit", path);
        sc.NativeHistogramMinBucketFactor = keys.TryGetValue("native_histogram_min_bucket_factor", out n) ? _r.LooseFloat(n, P("native_histogram_min_bucket_factor")) : 0;
        sc.KeepDroppedTargets = UInt(keys, "keep_dropped_targets", path);
        sc.MetricNameValidationScheme = Str(keys, "metric_name_validation_scheme", path, "");
        sc.MetricNameEscapingScheme = Str(keys, "metric_name_escaping_scheme", path, "");
        sc.ExtraScrapeMetrics = Bool(keys, "extra_scrape_metrics", path);
        sc.HttpClient = _http.Parse(httpKeys, path);

        var hasRelabelKey = keys.TryGetValue("relabel_configs", out var relabelNode) && !YamlReader.IsNull(relabelNode);
        var relabel = hasRelabelKey ? ParseRelabelList(relabelNode!, P("relabel_configs"), "empty or null target relabeling rule in scrape config") : [];
        sc.RelabelConfigs = relabel;
        sc.MetricRelabelConfigs = keys.TryGetValue("metric_relabel_configs", out n)
            ? ParseRelabelList(n, P("metric_relabel_configs"), "empty or null metric relabeling rule in scrape config")
            : [];

        if (keys.TryGetValue(StaticConfigsKey, out n))
        {
            sc.StaticConfigs = ParseStaticConfigs(n, P(StaticConfigsKey));
        }

        if (keys.TryGetValue(FileSdConfigsKey, out n))
        {
            sc.FileSdConfigs = ParseFileSd(n, P(FileSdConfigsKey));
        }

        if (keys.TryGetValue(HttpSdConfigsKey, out n))
        {
            sc.HttpSdConfigs = ParseHttpSd(n, P(HttpSdConfigsKey));
        }

        if (keys.TryGetValue(KubernetesSdConfigsKey, out n))
        {
            sc.KubernetesSdConfigs = ParseKubernetesSd(n, P(KubernetesSdConfigsKey));
        }

        // ScrapeConfig.UnmarshalYAML checks, in Prometheus' order.
        if (jobName.Length == 0)
        {
            _r.Error(P("job_name"), "job_name is empty");
        }

        if (HttpClientConfigParser.Validate(sc.HttpClient) is { } httpError)
        {
            _r.Error(path, httpError);
        }

        if (relabel.Count == 0)
        {
            for (var g = 0; g < sc.StaticConfigs.Count; g++)
            {
                foreach (var target in sc.StaticConfigs[g].Targets)
                {
                    var address = target[0].Value;
                    if (address.Contains('/', StringComparison.Ordinal))
                    {
                        _r.Error(P(StaticConfigsKey), $"{YamlReader.Quote(address)} is not a valid hostname");
                    }
                }
            }
        }

        Validate(sc, global, path);
        return _r.Errors.Count == errorsBefore ? sc : null;
    }

    /// <summary>Prometheus' <c>ScrapeConfig.Validate(globalConfig)</c>, after unmarshalling.</summary>
    private void Validate(ScrapeConfig sc, GlobalConfig global, string path)
    {
        string P(string k) => YamlReader.Join(path, k);
        var job = YamlReader.Quote(sc.JobName);
        if (sc.ScrapeInterval == PromDuration.Zero)
        {
            sc.ScrapeInterval = global.ScrapeInterval;
        }

        if (sc.ScrapeTimeout > sc.ScrapeInterval)
        {
            _r.Error(P("scrape_timeout"), $"{YamlReader.Quote(sc.ScrapeTimeout.ToString())} is greater than scrape_interval {YamlReader.Quote(sc.ScrapeInterval.ToString())}");
        }

        if (sc.ScrapeTimeout == PromDuration.Zero)
        {
            sc.ScrapeTimeout = global.ScrapeTimeout > sc.ScrapeInterval ? sc.ScrapeInterval : global.ScrapeTimeout;
        }

        sc.BodySizeLimit = sc.BodySizeLimit == 0 ? global.BodySizeLimit : sc.BodySizeLimit;
        sc.SampleLimit = sc.SampleLimit == 0 ? global.SampleLimit : sc.SampleLimit;
        sc.TargetLimit = sc.TargetLimit == 0 ? global.TargetLimit : sc.TargetLimit;
        sc.LabelLimit = sc.LabelLimit == 0 ? global.LabelLimit : sc.LabelLimit;
        sc.LabelNameLengthLimit = sc.LabelNameLengthLimit == 0 ? global.LabelNameLengthLimit : sc.LabelNameLengthLimit;
        sc.LabelValueLengthLimit = sc.LabelValueLengthLimit == 0 ? global.LabelValueLengthLimit : sc.LabelValueLengthLimit;
        sc.KeepDroppedTargets = sc.KeepDroppedTargets == 0 ? global.KeepDroppedTargets : sc.KeepDroppedTargets;
        sc.ScrapeFailureLogFile = sc.ScrapeFailureLogFile.Length == 0 ? global.ScrapeFailureLogFile : sc.ScrapeFailureLogFile;
        sc.ScrapeNativeHistograms ??= global.ScrapeNativeHistograms;
        sc.ExtraScrapeMetrics ??= global.ExtraScrapeMetrics;

        if (sc.ScrapeProtocols is null)
        {
            sc.ScrapeProtocols = global.ScrapeProtocols
                ?? (sc.ScrapeNativeHistograms == true ? ProtoFirstProtocols : PrometheusCrConfig.DefaultScrapeProtocols);
        }
        else if (ValidateProtocols(sc.ScrapeProtocols) is { } protocolError)
        {
            _r.Error(P("scrape_protocols"), $"{protocolError} for scrape config with job name {job}");
        }

        if (sc.FallbackScrapeProtocol.Length != 0 && Array.IndexOf(KnownProtocols, sc.FallbackScrapeProtocol) < 0)
        {
            _r.Error(P("fallback_scrape_protocol"), $"invalid fallback_scrape_protocol for scrape config with job name {job}: unknown scrape protocol {sc.FallbackScrapeProtocol}, supported: [{string.Join(' ', KnownProtocols)}]");
        }

        var localValidationUnset = sc.MetricNameValidationScheme.Length == 0;
        switch (sc.MetricNameValidationScheme)
        {
            case "":
                sc.MetricNameValidationScheme = global.MetricNameValidationScheme;
                break;
            case "utf8" or "legacy":
                break;
            default:
                _r.Error(P("metric_name_validation_scheme"), $"unknown scrape config name validation method specified, must be either '', 'legacy' or 'utf8', got {sc.MetricNameValidationScheme}");
                return;
        }

        if (sc.MetricNameEscapingScheme.Length == 0)
        {
            sc.MetricNameEscapingScheme = localValidationUnset
                ? global.MetricNameEscapingScheme
                : sc.MetricNameValidationScheme == "legacy" ? "underscores" : "allow-utf-8";
        }

        if (sc.MetricNameEscapingScheme == "allow-utf-8")
        {
            if (sc.MetricNameValidationScheme != "utf8")
            {
                _r.Error(P("metric_name_escaping_scheme"), "utf8 metric names requested but validation scheme is not set to UTF8");
            }
        }
        else if (Array.IndexOf(EscapingSchemes, sc.MetricNameEscapingScheme) < 0)
        {
            _r.Error(P("metric_name_escaping_scheme"), $"unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got {YamlReader.Quote(sc.MetricNameEscapingScheme)}");
        }

        sc.ConvertClassicHistogramsToNhcb ??= global.ConvertClassicHistogramsToNhcb;
        sc.AlwaysScrapeClassicHistograms ??= global.AlwaysScrapeClassicHistograms;

        if (_validateRelabel is not null)
        {
            ValidateRelabelList(sc.RelabelConfigs, P("relabel_configs"));
            ValidateRelabelList(sc.MetricRelabelConfigs, P("metric_relabel_configs"));
        }
    }

    private void ValidateRelabelList(IReadOnlyList<RelabelConfig> rules, string path)
    {
        for (var j = 0; j < rules.Count; j++)
        {
            if (_validateRelabel!(rules[j]) is { } message)
            {
                _r.Error(YamlReader.Index(path, j), message);
            }
        }
    }

    private static string? ValidateProtocols(IReadOnlyList<string> protocols)
    {
        if (protocols.Count == 0)
        {
            return "scrape_protocols cannot be empty";
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in protocols)
        {
            if (!seen.Add(p))
            {
                return $"duplicated protocol in scrape_protocols, got [{string.Join(' ', protocols)}]";
            }

            if (Array.IndexOf(KnownProtocols, p) < 0)
            {
                return $"scrape_protocols: unknown scrape protocol {p}, supported: [{string.Join(' ', KnownProtocols)}]";
            }
        }

        return null;
    }

    private List<KeyValuePair<string, IReadOnlyList<string>>> ParseParams(YamlNode node, string path)
    {
        var result = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        var map = _r.Mapping(node, path);
        if (map is null)
        {
            return result;
        }

        foreach (var entry in map.Children)
        {
            var key = _r.LooseString(entry.Key, path);
            result.Add(new(key, _r.LooseStringList(entry.Value, YamlReader.Join(path, key))));
        }

        return result;
    }

    private List<RelabelConfig> ParseRelabelList(YamlNode node, string path, string nullMessage)
    {
        var result = new List<RelabelConfig>();
        var items = _r.Sequence(node, path);
        if (items is null)
        {
            return result;
        }

        for (var j = 0; j < items.Count; j++)
        {
            var itemPath = YamlReader.Index(path, j);
            if (YamlReader.IsNull(items[j]))
            {
                _r.Error(itemPath, nullMessage);
                continue;
            }

            var map = _r.Mapping(items[j], itemPath);
            if (map is not null && ParseRelabel(map, itemPath) is { } rc)
            {
                result.Add(rc);
            }
        }

        return result;
    }

    internal RelabelConfig? ParseRelabel(YamlMappingNode map, string path)
    {
        var keys = _r.MatchKeys(map, path, RelabelKeys, caseInsensitive: false);
        string P(string k) => YamlReader.Join(path, k);
        var ok = true;
        IReadOnlyList<string> sourceLabels = [];
        if (keys.TryGetValue("source_labels", out var n))
        {
            sourceLabels = _r.LooseStringList(n, P("source_labels"));
            foreach (var name in sourceLabels)
            {
                if (name.Length == 0)
                {
                    _r.Error(P("source_labels"), "\"\" is not a valid label name");
                    ok = false;
                }
            }
        }

        var action = RelabelAction.Replace;
        if (keys.TryGetValue("action", out n))
        {
            var text = _r.LooseString(n, P("action"));
            if (text.Length == 0)
            {
                _r.Error(P("action"), "relabel action cannot be empty");
                ok = false;
            }
            else if (TryParseAction(text, out var parsed))
            {
                action = parsed;
            }
            else
            {
                _r.Error(P("action"), $"unknown relabel action {YamlReader.Quote(text)}");
                ok = false;
            }
        }

        string? regex = null;
        if (keys.TryGetValue("regex", out n))
        {
            // An explicit null is the empty regex, not the default (yaml.v2 zeroes the field).
            regex = _r.LooseString(n, P("regex"));
        }

        var rc = new RelabelConfig
        {
            SourceLabels = sourceLabels,
            Separator = keys.TryGetValue("separator", out n) ? _r.LooseString(n, P("separator")) : ";",
            Regex = regex,
            Modulus = keys.TryGetValue("modulus", out n) ? _r.LooseUInt(n, P("modulus")) : 0,
            TargetLabel = keys.TryGetValue("target_label", out n) ? _r.LooseString(n, P("target_label")) : "",
            Replacement = keys.TryGetValue("replacement", out n) ? _r.LooseString(n, P("replacement")) : "$1",
            Action = action,
        };
        return ok ? rc : null;
    }

    private static bool TryParseAction(string text, out RelabelAction action)
    {
        foreach (var candidate in Enum.GetValues<RelabelAction>())
        {
            if (string.Equals(RelabelConfig.ActionName(candidate), text.ToLowerInvariant(), StringComparison.Ordinal))
            {
                action = candidate;
                return true;
            }
        }

        action = default;
        return false;
    }

    private List<TargetGroup> ParseStaticConfigs(YamlNode node, string path)
    {
        var result = new List<TargetGroup>();
        var items = _r.Sequence(node, path);
        if (items is null)
        {
            return result;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlReader.Index(path, i);
            if (YamlReader.IsNull(items[i]))
            {
                _r.Error(itemPath, "empty or null section in static_configs");
                continue;
            }

            var map = _r.Mapping(items[i], itemPath);
            if (map is null)
            {
                continue;
            }

            var keys = _r.MatchKeys(map, itemPath, ["targets", "labels"], caseInsensitive: false);
            var targets = new List<Label[]>();
            if (keys.TryGetValue("targets", out var n))
            {
                foreach (var t in _r.LooseStringList(n, YamlReader.Join(itemPath, "targets")))
                {
                    targets.Add([new Label("__address__", t)]);
                }
            }

            var labels = new List<Label>();
            if (keys.TryGetValue("labels", out n))
            {
                foreach (var (name, value) in _r.LooseStringMap(n, YamlReader.Join(itemPath, "labels")))
                {
                    if (name.Length == 0)
                    {
                        _r.Error(YamlReader.Join(itemPath, "labels"), "\"\" is not a valid label name");
                        continue;
                    }

                    labels.Add(new Label(name, value));
                }
            }

            labels.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            result.Add(new TargetGroup(result.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), targets, [.. labels]));
        }

        return result;
    }

    private List<FileSdConfig> ParseFileSd(YamlNode node, string path)
    {
        var result = new List<FileSdConfig>();
        var items = _r.Sequence(node, path) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlReader.Index(path, i);
            var map = _r.Mapping(items[i], itemPath);
            if (map is null)
            {
                _r.Error(itemPath, "empty or null section in file_sd_configs");
                continue;
            }

            var keys = _r.MatchKeys(map, itemPath, ["files", "refresh_interval"], caseInsensitive: false);
            var files = keys.TryGetValue("files", out var n) ? _r.LooseStringList(n, YamlReader.Join(itemPath, "files")) : [];
            if (files.Count == 0)
            {
                _r.Error(itemPath, "file service discovery config must contain at least one path name");
            }

            foreach (var file in files)
            {
                if (!FilePathPattern().IsMatch(file))
                {
                    _r.Error(YamlReader.Join(itemPath, "files"), $"path name {YamlReader.Quote(file)} is not valid for file discovery");
                }
            }

            result.Add(new FileSdConfig
            {
                Files = files,
                RefreshInterval = keys.TryGetValue("refresh_interval", out n)
                    ? _r.LoosePromDuration(n, YamlReader.Join(itemPath, "refresh_interval"))
                    : PromDuration.FromSeconds(300),
            });
        }

        return result;
    }

    private List<HttpSdConfig> ParseHttpSd(YamlNode node, string path)
    {
        var result = new List<HttpSdConfig>();
        var items = _r.Sequence(node, path) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlReader.Index(path, i);
            var map = _r.Mapping(items[i], itemPath);
            if (map is null)
            {
                _r.Error(itemPath, "empty or null section in http_sd_configs");
                continue;
            }

            var (keys, httpKeys) = SplitHttpKeys(map, itemPath, ["url", "refresh_interval"]);
            var url = keys.TryGetValue("url", out var n) ? _r.LooseString(n, YamlReader.Join(itemPath, "url")) : "";
            if (ValidateSdUrl(url) is { } urlError)
            {
                _r.Error(YamlReader.Join(itemPath, "url"), urlError);
            }

            var http = _http.Parse(httpKeys, itemPath);
            if (HttpClientConfigParser.Validate(http) is { } httpError)
            {
                _r.Error(itemPath, httpError);
            }

            result.Add(new HttpSdConfig
            {
                Url = url,
                HttpClient = http,
                RefreshInterval = keys.TryGetValue("refresh_interval", out n)
                    ? _r.LoosePromDuration(n, YamlReader.Join(itemPath, "refresh_interval"))
                    : PromDuration.FromSeconds(60),
            });
        }

        return result;
    }

    private List<KubernetesSdConfig> ParseKubernetesSd(YamlNode node, string path)
    {
        var result = new List<KubernetesSdConfig>();
        var items = _r.Sequence(node, path) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlReader.Index(path, i);
            var map = _r.Mapping(items[i], itemPath);
            if (map is null)
            {
                _r.Error(itemPath, "empty or null section in kubernetes_sd_configs");
                continue;
            }

            string P(string k) => YamlReader.Join(itemPath, k);
            var (keys, httpKeys) = SplitHttpKeys(map, itemPath, ["api_server", "role", "kubeconfig_file", "namespaces", "selectors", "attach_metadata"]);
            var k = new KubernetesSdConfig
            {
                ApiServer = keys.TryGetValue("api_server", out var n) ? _r.LooseString(n, P("api_server")) : "",
                Role = keys.TryGetValue("role", out n) ? _r.LooseString(n, P("role")) : "",
                KubeconfigFile = keys.TryGetValue("kubeconfig_file", out n) ? _r.LooseString(n, P("kubeconfig_file")) : "",
                HttpClient = _http.Parse(httpKeys, itemPath),
            };
            if (keys.TryGetValue("namespaces", out n) && _r.Mapping(n, P("namespaces")) is { } ns)
            {
                var nsKeys = _r.MatchKeys(ns, P("namespaces"), ["own_namespace", "names"], caseInsensitive: false);
                k.OwnNamespace = nsKeys.TryGetValue("own_namespace", out var o) && (_r.LooseBool(o, P("namespaces.own_namespace")) ?? false);
                k.NamespaceNames = nsKeys.TryGetValue("names", out o) ? _r.LooseStringList(o, P("namespaces.names")) : [];
            }

            if (keys.TryGetValue("selectors", out n))
            {
                var selectors = new List<KubernetesSdSelector>();
                var list = _r.Sequence(n, P("selectors")) ?? [];
                for (var s = 0; s < list.Count; s++)
                {
                    var sp = YamlReader.Index(P("selectors"), s);
                    if (_r.Mapping(list[s], sp) is not { } sm)
                    {
                        continue;
                    }

                    var sk = _r.MatchKeys(sm, sp, ["role", "label", "field"], caseInsensitive: false);
                    selectors.Add(new KubernetesSdSelector(
                        sk.TryGetValue("role", out var v) ? _r.LooseString(v, YamlReader.Join(sp, "role")) : "",
                        sk.TryGetValue("label", out v) ? _r.LooseString(v, YamlReader.Join(sp, "label")) : "",
                        sk.TryGetValue("field", out v) ? _r.LooseString(v, YamlReader.Join(sp, "field")) : ""));
                }

                k.Selectors = selectors;
            }

            if (keys.TryGetValue("attach_metadata", out n) && _r.Mapping(n, P("attach_metadata")) is { } am)
            {
                var ak = _r.MatchKeys(am, P("attach_metadata"), ["node", "namespace", "deployment", "job", "cronjob"], caseInsensitive: false);
                bool B(string key) => ak.TryGetValue(key, out var v) && (_r.LooseBool(v, YamlReader.Join(P("attach_metadata"), key)) ?? false);
                k.AttachMetadataNode = B("node");
                k.AttachMetadataNamespace = B("namespace");
                k.AttachMetadataDeployment = B("deployment");
                k.AttachMetadataJob = B("job");
                k.AttachMetadataCronJob = B("cronjob");
            }

            if (ValidateKubernetes(k) is { } error)
            {
                _r.Error(itemPath, error);
            }

            result.Add(k);
        }

        return result;
    }

    private static string? ValidateKubernetes(KubernetesSdConfig k)
    {
        string[] roles = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"];
        if (k.Role.Length == 0)
        {
            return "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)";
        }

        if (Array.IndexOf(roles, k.Role) < 0)
        {
            return $"unknown Kubernetes SD role {YamlReader.Quote(k.Role)}";
        }

        if (HttpClientConfigParser.Validate(k.HttpClient) is { } httpError)
        {
            return httpError;
        }

        if (k.ApiServer.Length != 0 && k.KubeconfigFile.Length != 0)
        {
            return "cannot use 'kubeconfig_file' and 'api_server' simultaneously";
        }

        var customHttp = !HttpClientConfigParser.IsDefault(k.HttpClient);
        if (k.KubeconfigFile.Length != 0 && customHttp)
        {
            return "cannot use a custom HTTP client configuration together with 'kubeconfig_file'";
        }

        if (k.ApiServer.Length == 0 && customHttp)
        {
            return "to use custom HTTP client configuration please provide the 'api_server' URL explicitly";
        }

        if (k.ApiServer.Length != 0 && k.OwnNamespace)
        {
            return "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously";
        }

        if (k.KubeconfigFile.Length != 0 && k.OwnNamespace)
        {
            return "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously";
        }

        string[] allowed = k.Role switch
        {
            "pod" => ["pod", "node"],
            "service" => ["service"],
            "endpoints" => ["pod", "service", "endpoints"],
            "endpointslice" => ["pod", "service", "endpointslice"],
            "node" => ["node"],
            _ => ["ingress"],
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in k.Selectors)
        {
            if (!seen.Add(s.Role))
            {
                return $"duplicated selector role: {s.Role}";
            }

            if (Array.IndexOf(allowed, s.Role) < 0)
            {
                return $"{k.Role} role supports only {string.Join(", ", allowed)} selectors";
            }
        }

        return null;
    }

    private (Dictionary<string, YamlNode> Keys, Dictionary<string, YamlNode> HttpKeys) SplitHttpKeys(YamlMappingNode map, string path, string[] own)
    {
        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var httpKeys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var entry in map.Children)
        {
            var key = (entry.Key as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(own, key) >= 0)
            {
                keys[key] = entry.Value;
            }
            else if (HttpClientConfigParser.Keys.Contains(key))
            {
                httpKeys[key] = entry.Value;
            }
            else
            {
                _r.Warn(YamlReader.Join(path, key), "unknown key ignored");
            }
        }

        return (keys, httpKeys);
    }

    private static string? ValidateSdUrl(string url)
    {
        if (url.Length == 0)
        {
            return "URL is missing";
        }

        var m = UrlPattern().Match(url);
        if (!m.Success || !(m.Groups[1].Value is "http" or "https"))
        {
            return "URL scheme must be 'http' or 'https'";
        }

        var host = m.Groups[2].Value;
        var at = host.LastIndexOf('@');
        if (at >= 0)
        {
            host = host[(at + 1)..];
        }

        return host.Length == 0 ? "host is missing in URL" : null;
    }

    private long ParseByteSize(YamlNode node, string path)
    {
        var text = _r.LooseString(node, path);
        if (text.Length == 0)
        {
            return 0;
        }

        if (ByteSize.TryParse(text, out var bytes, out var error))
        {
            return bytes;
        }

        _r.Error(path, error ?? "invalid size");
        return 0;
    }

    private ulong UInt(Dictionary<string, YamlNode> keys, string key, string path) =>
        keys.TryGetValue(key, out var n) ? _r.LooseUInt(n, YamlReader.Join(path, key)) : 0;

    private bool? Bool(Dictionary<string, YamlNode> keys, string key, string path) =>
        keys.TryGetValue(key, out var n) ? _r.LooseBool(n, YamlReader.Join(path, key)) : null;

    private string Str(Dictionary<string, YamlNode> keys, string key, string path, string fallback) =>
        keys.TryGetValue(key, out var n) ? _r.LooseString(n, YamlReader.Join(path, key)) : fallback;

    [GeneratedRegex(@"^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$")]
    private static partial Regex FilePathPattern();

    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.\-]*)://([^/?#]*)")]
    private static partial Regex UrlPattern();
}
