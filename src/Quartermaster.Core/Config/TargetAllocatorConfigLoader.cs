using System.Text;
using Quartermaster.Core.Relabeling;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Quartermaster.Core.Config;

/// <summary>
/// Loads <c>targetallocator.yaml</c> with upstream precedence: defaults &lt; file &lt; environment &lt; explicit flags.
/// </summary>
/// <remarks>
/// Besides the upstream keys, two extensions are read:
/// <list type="bullet">
/// <item><c>collectors: {static: [collector-0, {id: collector-1, node: node-a}]}</c>: a fixed collector list for use
/// without Kubernetes; each item is an id or an <c>{id, node}</c> mapping, and ids must be unique. When present,
/// <c>collector_namespace</c> is not required.</item>
/// <item><c>consistent_hashing: {ring_version: v0.10 | v1.0}</c>: which consistent-hashing ring layout to reproduce.</item>
/// <item><c>prometheus_cr.operator_generation: current | v0.78</c>: which Prometheus Operator generation's scrape
/// configs to reproduce for monitoring resources.</item>
/// <item><c>http_server: {concurrency_limit, queue_limit, max_connections, compress_stored_bodies}</c>: the API's overload guard and body storage.</item>
/// </list>
/// </remarks>
public static class TargetAllocatorConfigLoader
{
    public const string ConsistentHashing = "consistent-hashing";
    public const string LeastWeighted = "least-weighted";
    public const string PerNode = "per-node";
    public const string RelabelConfigFilter = "relabel-config";

    /// <summary>The SD mechanisms accepted when the caller does not say otherwise.</summary>
    public static IReadOnlySet<string> DefaultSupportedMechanisms { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        PrometheusConfigParser.StaticConfigsKey, PrometheusConfigParser.FileSdConfigsKey, PrometheusConfigParser.HttpSdConfigsKey,
        "kubernetes_sd_configs",
    };

    private static readonly string[] Strategies = [ConsistentHashing, LeastWeighted, PerNode];

    private static readonly string[] TopLevelKeys =
    [
        "listen_addr", "kube_config_file_path", "collector_selector", "collector_namespace", "config", "allocation_strategy",
        "allocation_fallback_strategy", "filter_strategy", "prometheus_cr", "https", "telemetry",
        "collector_not_ready_grace_period", "allow_insecure_auth_secrets", "collectors", "consistent_hashing", "http_server",
    ];

    private static readonly string[] PrometheusCrKeys =
    [
        "enabled", "allow_namespaces", "deny_namespaces", "secret_namespaces", "pod_monitor_selector",
        "pod_monitor_namespace_selector", "service_monitor_selector", "service_monitor_namespace_selector",
        "scrape_config_selector", "scrape_config_namespace_selector", "probe_selector", "probe_namespace_selector",
        "scrape_interval", "evaluation_interval", "scrape_protocols", "scrape_classes", "deny_fs_access_through_sms",
        "operator_generation",
    ];

    private static readonly string[] HttpServerKeys = ["concurrency_limit", "queue_limit", "max_connections", "compress_stored_bodies"];

    private static readonly string[] HttpsKeys = ["enabled", "listen_addr", "ca_file_path", "tls_cert_file_path", "tls_key_file_path"];

    /// <summary>Loads and validates; throws <see cref="ConfigException"/> listing every error found.</summary>
    /// <param name="yamlText">The file's content.</param>
    /// <param name="sourceName">Names the file in syntax errors.</param>
    /// <param name="getEnvironmentVariable">Reads <c>OTELCOL_NAMESPACE</c>, <c>ALLOW_INSECURE_AUTH_SECRETS</c> and <c>HOME</c>.</param>
    /// <param name="flags">Explicitly given command-line flags.</param>
    /// <param name="validateRelabel">Validates one relabel rule; returns an error message or null.</param>
    /// <param name="supportedMechanisms">SD keys accepted (e.g. <c>static_configs</c>); others are errors.</param>
    public static TargetAllocatorConfig Load(
        string yamlText,
        string sourceName,
        Func<string, string?> getEnvironmentVariable,
        ConfigOverrides flags,
        Func<RelabelConfig, string?>? validateRelabel = null,
        IReadOnlySet<string>? supportedMechanisms = null)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        ArgumentNullException.ThrowIfNull(flags);
        var root = ParseYaml(yamlText, sourceName);
        var r = new YamlReader();
        var config = new TargetAllocatorConfig();
        if (getEnvironmentVariable("HOME") is { Length: > 0 } home)
        {
            config.KubeConfigFilePath = home.TrimEnd('/') + "/.kube/config";
        }

        if (root is not null && r.Mapping(root, "") is { } map)
        {
            ReadFile(r, map, config, validateRelabel, supportedMechanisms ?? DefaultSupportedMechanisms);
        }

        ApplyEnvironment(config, getEnvironmentVariable);
        ApplyFlags(config, flags);
        var errors = new List<string>(r.Errors);
        Validate(config, errors);
        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        config.Warnings = r.Warnings;
        return config;
    }

    internal static YamlNode? ParseYaml(string text, string sourceName)
    {
        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            // "While scanning X, found Y" errors carry the enclosing construct's position too; report the furthest
            // position in the chain, which is where the problem was found.
            var mark = ex.Start;
            var message = ex.Message;
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                if (e is YamlException y)
                {
                    message = y.Message;
                    foreach (var m in new[] { y.Start, y.End })
                    {
                        if (m.Line > mark.Line || (m.Line == mark.Line && m.Column > mark.Column))
                        {
                            mark = m;
                        }
                    }
                }
            }

            throw new ConfigException([$"{sourceName}:{mark.Line}:{mark.Column}: {StripMark(message)}"]);
        }
        catch (InvalidOperationException ex)
        {
            // Some malformed documents surface as a non-YAML exception; report where parsing stopped.
            var mark = parser.LastEnd;
            throw new ConfigException([$"{sourceName}:{mark.Line}:{mark.Column}: malformed YAML ({ex.Message})"]);
        }

        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static string StripMark(string message)
    {
        // YamlDotNet prefixes "(Line: 1, Col: 2, Idx: 1) - (Line: ...): "; the position is reported separately.
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && index >= 0 ? message[(index + 3)..] : message;
    }

    private static void ReadFile(YamlReader r, YamlMappingNode map, TargetAllocatorConfig c, Func<RelabelConfig, string?>? validateRelabel, IReadOnlySet<string> supported)
    {
        var keys = r.MatchKeys(map, "", TopLevelKeys, caseInsensitive: true);
        if (keys.TryGetValue("listen_addr", out var n))
        {
            c.ListenAddr = r.StrictString(n, "listen_addr", c.ListenAddr);
        }

        if (keys.TryGetValue("kube_config_file_path", out n))
        {
            c.KubeConfigFilePath = r.StrictString(n, "kube_config_file_path", c.KubeConfigFilePath);
        }

        if (keys.TryGetValue("collector_selector", out n) && !YamlReader.IsNull(n))
        {
            c.CollectorSelector = ReadSelector(r, n, "collector_selector");
        }

        if (keys.TryGetValue("collector_namespace", out n))
        {
            c.CollectorNamespace = r.StrictString(n, "collector_namespace", c.CollectorNamespace);
        }

        if (keys.TryGetValue("config", out n) && !YamlReader.IsNull(n))
        {
            c.PromConfig = new PrometheusConfigParser(r, validateRelabel, supported).Parse(n, "config");
        }

        if (keys.TryGetValue("allocation_strategy", out n))
        {
            c.AllocationStrategy = r.StrictString(n, "allocation_strategy", c.AllocationStrategy);
        }

        if (keys.TryGetValue("allocation_fallback_strategy", out n))
        {
            c.AllocationFallbackStrategy = r.StrictString(n, "allocation_fallback_strategy", c.AllocationFallbackStrategy);
        }

        if (keys.TryGetValue("filter_strategy", out n))
        {
            c.FilterStrategy = r.StrictString(n, "filter_strategy", c.FilterStrategy);
        }

        if (keys.TryGetValue("prometheus_cr", out n) && r.Mapping(n, "prometheus_cr") is { } cr)
        {
            ReadPrometheusCr(r, cr, c.PrometheusCr);
        }

        if (keys.TryGetValue("https", out n) && r.Mapping(n, "https") is { } https)
        {
            var k = r.MatchKeys(https, "https", HttpsKeys, caseInsensitive: true);
            var h = c.Https;
            h.Enabled = k.TryGetValue("enabled", out var v) ? r.StrictBool(v, "https.enabled", h.Enabled) : h.Enabled;
            h.ListenAddr = k.TryGetValue("listen_addr", out v) ? r.StrictString(v, "https.listen_addr", h.ListenAddr) : h.ListenAddr;
            h.CaFilePath = k.TryGetValue("ca_file_path", out v) ? r.StrictString(v, "https.ca_file_path", h.CaFilePath) : h.CaFilePath;
            h.TlsCertFilePath = k.TryGetValue("tls_cert_file_path", out v) ? r.StrictString(v, "https.tls_cert_file_path", h.TlsCertFilePath) : h.TlsCertFilePath;
            h.TlsKeyFilePath = k.TryGetValue("tls_key_file_path", out v) ? r.StrictString(v, "https.tls_key_file_path", h.TlsKeyFilePath) : h.TlsKeyFilePath;
        }

        if (keys.TryGetValue("telemetry", out n) && !YamlReader.IsNull(n))
        {
            c.TelemetryYaml = ToYaml(n);
            c.Telemetry = ReadTelemetry(r, n);
        }

        if (keys.TryGetValue("collector_not_ready_grace_period", out n) && r.GoDurationNanoseconds(n, "collector_not_ready_grace_period") is { } grace)
        {
            c.CollectorNotReadyGracePeriod = TimeSpan.FromTicks(grace / 100);
        }

        if (keys.TryGetValue("allow_insecure_auth_secrets", out n))
        {
            c.AllowInsecureAuthSecrets = r.StrictBool(n, "allow_insecure_auth_secrets", c.AllowInsecureAuthSecrets);
        }

        if (keys.TryGetValue("collectors", out n) && r.Mapping(n, "collectors") is { } collectors)
        {
            ReadCollectors(r, collectors, c);
        }

        if (keys.TryGetValue("consistent_hashing", out n) && r.Mapping(n, "consistent_hashing") is { } ch)
        {
            var k = r.MatchKeys(ch, "consistent_hashing", ["ring_version"], caseInsensitive: true);
            if (k.TryGetValue("ring_version", out var v))
            {
                var version = r.StrictString(v, "consistent_hashing.ring_version", c.ConsistentHashingRingVersion);
                if (version is "v0.10" or "v1.0")
                {
                    c.ConsistentHashingRingVersion = version;
                }
                else
                {
                    r.Error("consistent_hashing.ring_version", $"{YamlReader.Quote(version)} is not a known ring version; expected v0.10 or v1.0");
                }
            }
        }

        if (keys.TryGetValue("http_server", out n) && r.Mapping(n, "http_server") is { } httpServer)
        {
            ReadHttpServer(r, httpServer, c.HttpServer);
        }
    }

    private static void ReadHttpServer(YamlReader r, YamlMappingNode map, HttpServerConfig h)
    {
        const string path = "http_server";
        var k = r.MatchKeys(map, path, HttpServerKeys, caseInsensitive: true);
        if (k.TryGetValue("concurrency_limit", out var n) && r.StrictInt(n, YamlReader.Join(path, "concurrency_limit"), null) is { } permits)
        {
            if (permits is < 1 or > int.MaxValue)
            {
                r.Error(YamlReader.Join(path, "concurrency_limit"), $"{permits.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range; expected an integer from 1 to {int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
            else
            {
                h.ConcurrencyLimit = (int)permits;
            }
        }

        if (k.TryGetValue("queue_limit", out n) && r.StrictInt(n, YamlReader.Join(path, "queue_limit"), null) is { } queue)
        {
            if (queue is < 0 or > int.MaxValue)
            {
                r.Error(YamlReader.Join(path, "queue_limit"), $"{queue.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range; expected an integer from 0 to {int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }
            else
            {
                h.QueueLimit = (int)queue;
            }
        }

        if (k.TryGetValue("compress_stored_bodies", out n))
        {
            h.CompressStoredBodies = r.StrictBool(n, YamlReader.Join(path, "compress_stored_bodies"), h.CompressStoredBodies);
        }

        if (k.TryGetValue("max_connections", out n) && r.StrictInt(n, YamlReader.Join(path, "max_connections"), null) is { } connections)
        {
            if (connections < 1)
            {
                r.Error(YamlReader.Join(path, "max_connections"), $"{connections.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range; expected a positive integer (omit the key for no limit)");
            }
            else
            {
                h.MaxConnections = connections;
            }
        }
    }

    private static void ReadPrometheusCr(YamlReader r, YamlMappingNode map, PrometheusCrConfig cr)
    {
        const string path = "prometheus_cr";
        var k = r.MatchKeys(map, path, PrometheusCrKeys, caseInsensitive: true);
        string P(string key) => YamlReader.Join(path, key);
        LabelSelector? Selector(string key, LabelSelector? current) =>
            k.TryGetValue(key, out var v) && !YamlReader.IsNull(v) ? ReadSelector(r, v, P(key)) : current;

        if (k.TryGetValue("enabled", out var n))
        {
            cr.Enabled = r.StrictBool(n, P("enabled"), cr.Enabled);
        }

        if (k.TryGetValue("allow_namespaces", out n))
        {
            cr.AllowNamespaces = r.StrictStringList(n, P("allow_namespaces"), cr.AllowNamespaces);
        }

        if (k.TryGetValue("deny_namespaces", out n))
        {
            cr.DenyNamespaces = r.StrictStringList(n, P("deny_namespaces"), cr.DenyNamespaces);
        }

        if (k.TryGetValue("secret_namespaces", out n))
        {
            cr.SecretNamespaces = r.StrictStringList(n, P("secret_namespaces"), cr.SecretNamespaces);
        }

        cr.PodMonitorSelector = Selector("pod_monitor_selector", cr.PodMonitorSelector);
        cr.PodMonitorNamespaceSelector = Selector("pod_monitor_namespace_selector", cr.PodMonitorNamespaceSelector);
        cr.ServiceMonitorSelector = Selector("service_monitor_selector", cr.ServiceMonitorSelector);
        cr.ServiceMonitorNamespaceSelector = Selector("service_monitor_namespace_selector", cr.ServiceMonitorNamespaceSelector);
        cr.ScrapeConfigSelector = Selector("scrape_config_selector", cr.ScrapeConfigSelector);
        cr.ScrapeConfigNamespaceSelector = Selector("scrape_config_namespace_selector", cr.ScrapeConfigNamespaceSelector);
        cr.ProbeSelector = Selector("probe_selector", cr.ProbeSelector);
        cr.ProbeNamespaceSelector = Selector("probe_namespace_selector", cr.ProbeNamespaceSelector);
        if (k.TryGetValue("scrape_interval", out n) && r.GoDurationNanoseconds(n, P("scrape_interval")) is { } interval)
        {
            if (interval <= 0)
            {
                r.Error(P("scrape_interval"), $"{YamlReader.Quote(GoDuration.Format(interval))} is invalid; expected a positive duration such as \"30s\"");
            }
            else
            {
                cr.ScrapeInterval = new PromDuration(interval / 1_000_000);
            }
        }

        if (k.TryGetValue("evaluation_interval", out n) && r.GoDurationNanoseconds(n, P("evaluation_interval")) is { } evaluation)
        {
            cr.EvaluationInterval = new PromDuration(evaluation / 1_000_000);
        }

        if (k.TryGetValue("scrape_protocols", out n))
        {
            cr.ScrapeProtocols = r.StrictStringList(n, P("scrape_protocols"), cr.ScrapeProtocols) ?? cr.ScrapeProtocols;
        }

        if (k.TryGetValue("scrape_classes", out n) && !YamlReader.IsNull(n))
        {
            if (n is YamlSequenceNode)
            {
                cr.ScrapeClassesYaml = ToYaml(n);
            }
            else
            {
                r.Error(P("scrape_classes"), $"expected a list, got {YamlReader.Describe(n)}");
            }
        }

        if (k.TryGetValue("deny_fs_access_through_sms", out n))
        {
            cr.DenyFsAccessThroughSms = r.StrictBool(n, P("deny_fs_access_through_sms"), cr.DenyFsAccessThroughSms);
        }

        if (k.TryGetValue("operator_generation", out n))
        {
            var generation = r.StrictString(n, P("operator_generation"), cr.OperatorGeneration);
            if (generation is PrometheusCrConfig.OperatorGenerationCurrent or PrometheusCrConfig.OperatorGenerationV078)
            {
                cr.OperatorGeneration = generation;
            }
            else
            {
                r.Error(P("operator_generation"), $"{YamlReader.Quote(generation)} is not a known operator generation; expected current or v0.78");
            }
        }
    }

    /// <summary>A Kubernetes label selector; both <c>matchLabels</c> and <c>matchlabels</c> spellings are accepted.</summary>
    private static LabelSelector? ReadSelector(YamlReader r, YamlNode node, string path)
    {
        if (r.Mapping(node, path) is not { } map)
        {
            return null;
        }

        var k = r.MatchKeys(map, path, ["matchLabels", "matchlabels", "matchExpressions", "matchexpressions"], caseInsensitive: false);
        var selector = new LabelSelector();
        var labelsKey = k.ContainsKey("matchLabels") ? "matchLabels" : "matchlabels";
        if (k.TryGetValue(labelsKey, out var n) && r.Mapping(n, YamlReader.Join(path, labelsKey)) is { } labels)
        {
            var dict = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in labels.Children)
            {
                var key = r.StrictString(entry.Key, YamlReader.Join(path, labelsKey), "");
                dict[key] = r.StrictString(entry.Value, YamlReader.Join(YamlReader.Join(path, labelsKey), key), "");
            }

            selector.MatchLabels = dict;
        }

        var exprKey = k.ContainsKey("matchExpressions") ? "matchExpressions" : "matchexpressions";
        if (k.TryGetValue(exprKey, out n) && r.Sequence(n, YamlReader.Join(path, exprKey)) is { } items)
        {
            var list = new List<LabelSelectorRequirement>();
            for (var i = 0; i < items.Count; i++)
            {
                var ip = YamlReader.Index(YamlReader.Join(path, exprKey), i);
                if (r.Mapping(items[i], ip) is not { } item)
                {
                    continue;
                }

                var ik = r.MatchKeys(item, ip, ["key", "operator", "values"], caseInsensitive: true);
                var key = ik.TryGetValue("key", out var v) ? r.StrictString(v, YamlReader.Join(ip, "key"), "") : "";
                var op = ik.TryGetValue("operator", out v) ? r.StrictString(v, YamlReader.Join(ip, "operator"), "") : "";
                var values = ik.TryGetValue("values", out v) ? r.StrictStringList(v, YamlReader.Join(ip, "values"), null) ?? [] : [];
                switch (op)
                {
                    case "In" or "NotIn" when values.Count == 0:
                        r.Error(YamlReader.Join(ip, "values"), $"must be non-empty for operator {op}");
                        break;
                    case "Exists" or "DoesNotExist" when values.Count > 0:
                        r.Error(YamlReader.Join(ip, "values"), $"must be empty for operator {op}");
                        break;
                    case "In" or "NotIn" or "Exists" or "DoesNotExist":
                        break;
                    default:
                        r.Error(YamlReader.Join(ip, "operator"), $"{YamlReader.Quote(op)} is not a valid operator; expected one of In, NotIn, Exists, DoesNotExist");
                        break;
                }

                list.Add(new LabelSelectorRequirement(key, op, values));
            }

            selector.MatchExpressions = list;
        }

        return selector;
    }

    private static void ReadCollectors(YamlReader r, YamlMappingNode map, TargetAllocatorConfig c)
    {
        var k = r.MatchKeys(map, "collectors", ["static"], caseInsensitive: true);
        if (!k.TryGetValue("static", out var n) || YamlReader.IsNull(n) || r.Sequence(n, "collectors.static") is not { } items)
        {
            return;
        }

        var result = new List<StaticCollector>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var ip = YamlReader.Index("collectors.static", i);
            string id;
            var node = "";
            if (items[i] is YamlMappingNode m)
            {
                var ik = r.MatchKeys(m, ip, ["id", "node"], caseInsensitive: true);
                id = ik.TryGetValue("id", out var v) ? r.StrictString(v, YamlReader.Join(ip, "id"), "") : "";
                node = ik.TryGetValue("node", out v) ? r.StrictString(v, YamlReader.Join(ip, "node"), "") : "";
            }
            else
            {
                id = r.StrictString(items[i], ip, "");
            }

            if (id.Length == 0)
            {
                r.Error(ip, "collector id must be a non-empty string");
                continue;
            }

            if (!seen.Add(id))
            {
                r.Error(ip, $"duplicate collector id {YamlReader.Quote(id)}");
                continue;
            }

            result.Add(new StaticCollector(id, node));
        }

        c.Collectors.Static = result;
    }

    private static TelemetryConfig ReadTelemetry(YamlReader r, YamlNode node)
    {
        var result = new List<OtlpReaderConfig>();
        ReadTelemetryReaders(r, node, result);
        return new TelemetryConfig { Readers = result };
    }

    private static void ReadTelemetryReaders(YamlReader r, YamlNode node, List<OtlpReaderConfig> result)
    {
        if (r.Mapping(node, "telemetry") is not { } t)
        {
            return;
        }

        var tk = r.MatchKeys(t, "telemetry", ["metrics"], caseInsensitive: true);
        if (!tk.TryGetValue("metrics", out var m) || r.Mapping(m, "telemetry.metrics") is not { } metrics)
        {
            return;
        }

        var mk = r.MatchKeys(metrics, "telemetry.metrics", ["readers"], caseInsensitive: true);
        if (!mk.TryGetValue("readers", out var rn) || r.Sequence(rn, "telemetry.metrics.readers") is not { } readers)
        {
            return;
        }

        for (var i = 0; i < readers.Count; i++)
        {
            var rp = YamlReader.Index("telemetry.metrics.readers", i);
            if (r.Mapping(readers[i], rp) is not { } reader)
            {
                continue;
            }

            var rk = r.MatchKeys(reader, rp, ["periodic"], caseInsensitive: true);
            if (!rk.TryGetValue("periodic", out var pn) || r.Mapping(pn, rp + ".periodic") is not { } periodic)
            {
                continue;
            }

            var pp = rp + ".periodic";
            var pk = r.MatchKeys(periodic, pp, ["interval", "timeout", "exporter"], caseInsensitive: true);
            YamlMappingNode? exporter = pk.TryGetValue("exporter", out var en) ? r.Mapping(en, pp + ".exporter") : null;
            var ek = exporter is null ? [] : r.MatchKeys(exporter, pp + ".exporter", ["otlp_grpc", "otlp_http"], caseInsensitive: true);
            var grpc = ek.TryGetValue("otlp_grpc", out var g) && !YamlReader.IsNull(g) ? g : null;
            var http = ek.TryGetValue("otlp_http", out var h) && !YamlReader.IsNull(h) ? h : null;
            if (grpc is null && http is null)
            {
                r.Error(pp, "must configure otlp_grpc or otlp_http exporter");
                continue;
            }

            if (grpc is not null && http is not null)
            {
                r.Error(pp, "otlp_grpc and otlp_http are mutually exclusive, configure only one");
                continue;
            }

            var name = grpc is not null ? "otlp_grpc" : "otlp_http";
            var xp = pp + "." + name;
            if (r.Mapping(grpc ?? http!, xp) is not { } x)
            {
                continue;
            }

            var xk = r.MatchKeys(x, xp, ["endpoint", "headers", "temporality_preference", "tls", "insecure", "compression", "timeout"], caseInsensitive: true);
            var endpoint = xk.TryGetValue("endpoint", out var v) ? r.StrictString(v, xp + ".endpoint", "") : "";
            if (endpoint.Length == 0)
            {
                r.Error(xp, "endpoint must be set");
            }

            var temporality = xk.TryGetValue("temporality_preference", out v) ? r.StrictString(v, xp + ".temporality_preference", "") : "";
            if (temporality is not ("" or "cumulative" or "delta" or "low_memory"))
            {
                r.Error(xp, $"temporality_preference must be 'cumulative', 'delta', or 'low_memory', got {YamlReader.Quote(temporality)}");
            }

            var insecure = xk.TryGetValue("insecure", out v) && !YamlReader.IsNull(v) && r.StrictBool(v, xp + ".insecure", false);
            if (xk.TryGetValue("tls", out v) && !YamlReader.IsNull(v) && r.Mapping(v, xp + ".tls") is { } tls)
            {
                // Only tls.insecure is used; the other TLS keys are passed over without a warning.
                foreach (var (tlsKey, iv) in tls.Children)
                {
                    if (tlsKey is YamlScalarNode { Value: { } tlsName } && tlsName.Equals("insecure", StringComparison.OrdinalIgnoreCase) && !YamlReader.IsNull(iv))
                    {
                        insecure = r.StrictBool(iv, xp + ".tls.insecure", insecure);
                    }
                }
            }

            var headers = new List<KeyValuePair<string, string>>();
            if (xk.TryGetValue("headers", out v) && !YamlReader.IsNull(v) && r.Sequence(v, xp + ".headers") is { } hs)
            {
                for (var j = 0; j < hs.Count; j++)
                {
                    var hp = YamlReader.Index(xp + ".headers", j);
                    if (r.Mapping(hs[j], hp) is not { } header)
                    {
                        continue;
                    }

                    var hk = r.MatchKeys(header, hp, ["name", "value"], caseInsensitive: true);
                    var headerName = hk.TryGetValue("name", out var hn) ? r.StrictString(hn, hp + ".name", "") : "";
                    var headerValue = hk.TryGetValue("value", out var hv) && !YamlReader.IsNull(hv) ? r.StrictString(hv, hp + ".value", "") : "";
                    if (headerName.Length == 0)
                    {
                        r.Error(hp, "name must be set");
                        continue;
                    }

                    headers.Add(new KeyValuePair<string, string>(headerName, headerValue));
                }
            }

            result.Add(new OtlpReaderConfig
            {
                Protocol = grpc is not null ? "grpc" : "http",
                Endpoint = endpoint,
                Headers = headers,
                TemporalityPreference = temporality,
                Interval = Milliseconds(r, pk, "interval", pp),
                Timeout = Milliseconds(r, pk, "timeout", pp),
                Insecure = insecure,
            });
        }
    }

    /// <summary>A positive millisecond count overrides the SDK default; zero, negative or absent keeps it.</summary>
    private static TimeSpan? Milliseconds(YamlReader r, Dictionary<string, YamlNode> keys, string key, string path)
    {
        if (!keys.TryGetValue(key, out var node) || YamlReader.IsNull(node))
        {
            return null;
        }

        var ms = r.LooseFloat(node, path + "." + key);
        return ms > 0 ? TimeSpan.FromMilliseconds(ms) : null;
    }

    private static void ApplyEnvironment(TargetAllocatorConfig c, Func<string, string?> env)
    {
        if (env("OTELCOL_NAMESPACE") is { } ns)
        {
            c.CollectorNamespace = ns;
        }

        // Upstream: only exactly "true" turns it on, and the environment can never turn it off.
        if (env("ALLOW_INSECURE_AUTH_SECRETS") == "true")
        {
            c.AllowInsecureAuthSecrets = true;
        }
    }

    private static void ApplyFlags(TargetAllocatorConfig c, ConfigOverrides f)
    {
        c.ListenAddr = f.ListenAddr ?? c.ListenAddr;
        c.PrometheusCr.Enabled = f.EnablePrometheusCrWatcher ?? c.PrometheusCr.Enabled;
        c.KubeConfigFilePath = f.KubeConfigPath ?? c.KubeConfigFilePath;
        c.Https.Enabled = f.EnableHttpsServer ?? c.Https.Enabled;
        c.Https.ListenAddr = f.ListenAddrHttps ?? c.Https.ListenAddr;
        c.Https.CaFilePath = f.HttpsCaFile ?? c.Https.CaFilePath;
        c.Https.TlsCertFilePath = f.HttpsTlsCertFile ?? c.Https.TlsCertFilePath;
        c.Https.TlsKeyFilePath = f.HttpsTlsKeyFile ?? c.Https.TlsKeyFilePath;
        c.AllowInsecureAuthSecrets = f.AllowInsecureAuthSecrets ?? c.AllowInsecureAuthSecrets;
    }

    /// <summary>Upstream <c>ValidateConfig</c> (same order), then the checks upstream defers to start-up.</summary>
    private static void Validate(TargetAllocatorConfig c, List<string> errors)
    {
        var scrapeConfigErrors = errors.Exists(e => e.StartsWith("config.scrape_configs", StringComparison.Ordinal));
        if ((c.PromConfig is null || c.PromConfig.ScrapeConfigs.Count == 0) && !c.PrometheusCr.Enabled && !scrapeConfigErrors)
        {
            errors.Add("at least one scrape config must be defined, or Prometheus CR watching must be enabled");
        }

        if (c.CollectorNamespace.Length == 0 && c.Collectors.Static is null)
        {
            errors.Add("collector_namespace: collector namespace must be set");
        }

        if (c.PrometheusCr.AllowNamespaces is { Count: > 0 } && c.PrometheusCr.DenyNamespaces is { Count: > 0 })
        {
            errors.Add("prometheus_cr: only one of allowNamespaces or denyNamespaces can be set");
        }

        if (Array.IndexOf(Strategies, c.AllocationStrategy) < 0)
        {
            errors.Add($"allocation_strategy: {YamlReader.Quote(c.AllocationStrategy)} is not a known strategy; expected one of {string.Join(", ", Strategies)}");
        }

        if (c.AllocationFallbackStrategy.Length > 0 && Array.IndexOf(Strategies, c.AllocationFallbackStrategy) < 0)
        {
            errors.Add($"allocation_fallback_strategy: {YamlReader.Quote(c.AllocationFallbackStrategy)} is not a known strategy; expected one of {string.Join(", ", Strategies)}");
        }
        else if (c.AllocationStrategy == PerNode && c.AllocationFallbackStrategy == PerNode)
        {
            errors.Add("allocation_fallback_strategy: \"per-node\" cannot be the fallback of per-node; expected consistent-hashing or least-weighted");
        }

        // Deliberate fix of upstream quirk Q15 (spec upstream-ta.md §11): upstream silently disables filtering for any
        // value other than "relabel-config"; a typo is reported instead. "" still disables filtering as upstream does.
        if (c.FilterStrategy is not (RelabelConfigFilter or ""))
        {
            errors.Add($"filter_strategy: {YamlReader.Quote(c.FilterStrategy)} is not a known filter strategy; expected \"relabel-config\" or \"\"");
        }
    }

    private static string ToYaml(YamlNode node)
    {
        var stream = new YamlStream(new YamlDocument(node));
        var sb = new StringBuilder();
        using (var writer = new StringWriter(sb, System.Globalization.CultureInfo.InvariantCulture))
        {
            stream.Save(writer, assignAnchors: false);
        }

        return sb.ToString();
    }

    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastEnd { get; private set; } = Mark.Empty;

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (inner.Current is { } current)
            {
                LastEnd = current.End;
            }

            return moved;
        }
    }
}
