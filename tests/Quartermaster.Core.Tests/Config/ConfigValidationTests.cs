using Quartermaster.Core.Config;
using Quartermaster.Core.Relabeling;
using static Quartermaster.Core.Tests.Config.ConfigTestHelpers;

namespace Quartermaster.Core.Tests.Config;

/// <summary>One case per validation message: the YAML and the exact error it must produce.</summary>
public sealed class ConfigValidationTests
{
    private const string Job = "config: {scrape_configs: [{job_name: a, static_configs: [{targets: ['h:1']}]}]}\n";

    public static TheoryData<string, string> AllocatorCases => new()
    {
        { "collector_namespace: x\n", "at least one scrape config must be defined, or Prometheus CR watching must be enabled" },
        { "prometheus_cr: {enabled: true, allow_namespaces: [a], deny_namespaces: [b]}\n", "prometheus_cr: only one of allowNamespaces or denyNamespaces can be set" },
        { Job + "allocation_strategy: round-robin\n", "allocation_strategy: \"round-robin\" is not a known strategy; expected one of consistent-hashing, least-weighted, per-node" },
        { Job + "allocation_fallback_strategy: nope\n", "allocation_fallback_strategy: \"nope\" is not a known strategy; expected one of consistent-hashing, least-weighted, per-node" },
        { Job + "allocation_strategy: per-node\nallocation_fallback_strategy: per-node\n", "allocation_fallback_strategy: \"per-node\" cannot be the fallback of per-node; expected consistent-hashing or least-weighted" },
        { Job + "filter_strategy: relabel_config\n", "filter_strategy: \"relabel_config\" is not a known filter strategy; expected \"relabel-config\" or \"\"" },
        { Job + "prometheus_cr: {scrape_interval: 0s}\n", "prometheus_cr.scrape_interval: \"0s\" is invalid; expected a positive duration such as \"30s\"" },
        { Job + "prometheus_cr: {enabled: 'yes'}\n", "prometheus_cr.enabled: expected a boolean, got string \"yes\"" },
        { Job + "listen_addr: [a]\n", "listen_addr: expected a string, got a list" },
        { Job + "https: 5\n", "https: expected a mapping, got int 5" },
        { Job + "prometheus_cr: {allow_namespaces: a}\n", "prometheus_cr.allow_namespaces: expected a list, got string \"a\"" },
        { Job + "prometheus_cr: {scrape_classes: {a: b}}\n", "prometheus_cr.scrape_classes: expected a list, got a mapping" },
        { Job + "collectors: {static: [a, {id: a}]}\n", "collectors.static[1]: duplicate collector id \"a\"" },
        { Job + "collectors: {static: [{node: node-1}]}\n", "collectors.static[0]: collector id must be a non-empty string" },
        { Job + "prometheus_cr: {operator_generation: v0.79}\n", "prometheus_cr.operator_generation: \"v0.79\" is not a known operator generation; expected current or v0.78" },
        { Job + "consistent_hashing: {ring_version: v2}\n", "consistent_hashing.ring_version: \"v2\" is not a known ring version; expected v0.10 or v1.0" },
        { Job + "http_server: {concurrency_limit: 0}\n", "http_server.concurrency_limit: 0 is out of range; expected an integer from 1 to 2147483647" },
        { Job + "http_server: {concurrency_limit: 2147483648}\n", "http_server.concurrency_limit: 2147483648 is out of range; expected an integer from 1 to 2147483647" },
        { Job + "http_server: {concurrency_limit: '8'}\n", "http_server.concurrency_limit: expected an integer, got string \"8\"" },
        { Job + "http_server: {compress_stored_bodies: maybe}\n", "http_server.compress_stored_bodies: expected a boolean, got string \"maybe\"" },
        { Job + "http_server: {queue_limit: -1}\n", "http_server.queue_limit: -1 is out of range; expected an integer from 0 to 2147483647" },
        { Job + "http_server: {queue_limit: 1.5}\n", "http_server.queue_limit: expected an integer, got float 1.5" },
        { Job + "http_server: {max_connections: 0}\n", "http_server.max_connections: 0 is out of range; expected a positive integer (omit the key for no limit)" },
        { Job + "http_server: [a]\n", "http_server: expected a mapping, got a list" },
        { Job + "collector_selector: {matchLabels: {a: b}, matchExpressions: [{key: k, operator: Equals, values: [v]}]}\n", "collector_selector.matchExpressions[0].operator: \"Equals\" is not a valid operator; expected one of In, NotIn, Exists, DoesNotExist" },
        { Job + "collector_selector: {matchexpressions: [{key: k, operator: In}]}\n", "collector_selector.matchexpressions[0].values: must be non-empty for operator In" },
        { Job + "collector_selector: {matchexpressions: [{key: k, operator: Exists, values: [v]}]}\n", "collector_selector.matchexpressions[0].values: must be empty for operator Exists" },
        { Job + "telemetry: {metrics: {readers: [{periodic: {interval: 1000}}]}}\n", "telemetry.metrics.readers[0].periodic: must configure otlp_grpc or otlp_http exporter" },
        { Job + "telemetry: {metrics: {readers: [{periodic: {exporter: {otlp_grpc: {endpoint: a}, otlp_http: {endpoint: b}}}}]}}\n", "telemetry.metrics.readers[0].periodic: otlp_grpc and otlp_http are mutually exclusive, configure only one" },
        { Job + "telemetry: {metrics: {readers: [{periodic: {exporter: {otlp_http: {headers: []}}}}]}}\n", "telemetry.metrics.readers[0].periodic.otlp_http: endpoint must be set" },
        { Job + "telemetry: {metrics: {readers: [{periodic: {exporter: {otlp_grpc: {endpoint: a, temporality_preference: weekly}}}}]}}\n", "telemetry.metrics.readers[0].periodic.otlp_grpc: temporality_preference must be 'cumulative', 'delta', or 'low_memory', got \"weekly\"" },
    };

    [Theory]
    [MemberData(nameof(AllocatorCases))]
    public void Load_InvalidAllocatorSetting_ReportsExactError(string yaml, string expected) => Assert.Equal([expected], Errors(yaml));

    [Fact]
    public void Load_NoNamespace_ReportsCollectorNamespaceError()
    {
        var ex = Assert.Throws<ConfigException>(() => Load(Job, env: new Dictionary<string, string>()));
        Assert.Equal(["collector_namespace: collector namespace must be set"], ex.Errors);
    }

    [Fact]
    public void Load_NoNamespaceWithStaticCollectors_Accepted()
    {
        var c = Load(Job + "collectors: {static: [c0]}\n", env: new Dictionary<string, string>());
        Assert.Equal("", c.CollectorNamespace);
    }

    public static TheoryData<string, string> ScrapeCases => new()
    {
        { "  global: {scrape_interval: 10s, scrape_timeout: 20s}\n", "config.global.scrape_timeout: global scrape timeout greater than scrape interval" },
        { "  global: {scrape_protocols: []}\n", "config.global.scrape_protocols: scrape_protocols cannot be empty" },
        { "  global: {scrape_protocols: [Foo]}\n", "config.global.scrape_protocols: scrape_protocols: unknown scrape protocol Foo, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0]" },
        { "  global: {metric_name_validation_scheme: ascii}\n", "config.global.metric_name_validation_scheme: unknown global name validation method specified, must be either '', 'legacy' or 'utf8', got ascii" },
        { "  global: {metric_name_escaping_scheme: slashes}\n", "config.global.metric_name_escaping_scheme: unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got \"slashes\"" },
        { "  global: {scrape_interval: 1x}\n", "config.global.scrape_interval: unknown unit \"x\" in duration \"1x\"" },
        { "  scrape_configs: [null]\n", "config.scrape_configs[0]: empty or null scrape config section" },
        { "  scrape_configs: [{static_configs: [{targets: [a:1]}]}]\n", "config.scrape_configs[0].job_name: job_name is empty" },
        { "  scrape_configs: [{job_name: a, scrape_interval: 10s, scrape_timeout: 15s}]\n", "config.scrape_configs[0].scrape_timeout: \"15s\" is greater than scrape_interval \"10s\"" },
        { "  scrape_configs: [{job_name: a, scrape_protocols: []}]\n", "config.scrape_configs[0].scrape_protocols: scrape_protocols cannot be empty for scrape config with job name \"a\"" },
        { "  scrape_configs: [{job_name: a, scrape_protocols: [PrometheusProto, prometheusproto]}]\n", "config.scrape_configs[0].scrape_protocols: duplicated protocol in scrape_protocols, got [PrometheusProto prometheusproto] for scrape config with job name \"a\"" },
        { "  scrape_configs: [{job_name: a, scrape_protocols: [Bad]}]\n", "config.scrape_configs[0].scrape_protocols: scrape_protocols: unknown scrape protocol Bad, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0] for scrape config with job name \"a\"" },
        { "  scrape_configs: [{job_name: a, fallback_scrape_protocol: Bad}]\n", "config.scrape_configs[0].fallback_scrape_protocol: invalid fallback_scrape_protocol for scrape config with job name \"a\": unknown scrape protocol Bad, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0]" },
        { "  scrape_configs: [{job_name: a, metric_name_validation_scheme: ascii}]\n", "config.scrape_configs[0].metric_name_validation_scheme: unknown scrape config name validation method specified, must be either '', 'legacy' or 'utf8', got ascii" },
        { "  scrape_configs: [{job_name: a, metric_name_escaping_scheme: slashes}]\n", "config.scrape_configs[0].metric_name_escaping_scheme: unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got \"slashes\"" },
        { "  scrape_configs: [{job_name: a, metric_name_validation_scheme: legacy, metric_name_escaping_scheme: allow-utf-8}]\n", "config.scrape_configs[0].metric_name_escaping_scheme: utf8 metric names requested but validation scheme is not set to UTF8" },
        { "  scrape_configs: [{job_name: a}, {job_name: a}]\n", "config.scrape_configs[1].job_name: found multiple scrape configs with job name \"a\"" },
        { "  scrape_configs: [{job_name: a, static_configs: [{targets: ['http://bad']}]}]\n", "config.scrape_configs[0].static_configs: \"http://bad\" is not a valid hostname" },
        { "  scrape_configs: [{job_name: a, static_configs: [null]}]\n", "config.scrape_configs[0].static_configs[0]: empty or null section in static_configs" },
        { "  scrape_configs: [{job_name: a, static_configs: [{targets: [a:1], labels: {'': x}}]}]\n", "config.scrape_configs[0].static_configs[0].labels: \"\" is not a valid label name" },
        { "  scrape_configs: [{job_name: a, file_sd_configs: [{files: []}]}]\n", "config.scrape_configs[0].file_sd_configs[0]: file service discovery config must contain at least one path name" },
        { "  scrape_configs: [{job_name: a, file_sd_configs: [{files: [/a/*/b.json]}]}]\n", "config.scrape_configs[0].file_sd_configs[0].files: path name \"/a/*/b.json\" is not valid for file discovery" },
        { "  scrape_configs: [{job_name: a, http_sd_configs: [{refresh_interval: 1m}]}]\n", "config.scrape_configs[0].http_sd_configs[0].url: URL is missing" },
        { "  scrape_configs: [{job_name: a, http_sd_configs: [{url: 'ftp://x/'}]}]\n", "config.scrape_configs[0].http_sd_configs[0].url: URL scheme must be 'http' or 'https'" },
        { "  scrape_configs: [{job_name: a, http_sd_configs: [{url: 'http:///x'}]}]\n", "config.scrape_configs[0].http_sd_configs[0].url: host is missing in URL" },
        { "  scrape_configs: [{job_name: a, consul_sd_configs: [{server: x}]}]\n", "config.scrape_configs[0]: job \"a\" uses consul_sd_configs, which Quartermaster does not support" },
        { "  scrape_configs: [{job_name: a, dns_sd_configs: [{names: [x]}]}]\n", "config.scrape_configs[0]: job \"a\" uses dns_sd_configs, which Quartermaster does not support" },
        { "  scrape_configs: [{job_name: a, body_size_limit: 100}]\n", "config.scrape_configs[0].body_size_limit: units: unknown unit  in 100" },
        { "  scrape_configs: [{job_name: a, sample_limit: -1}]\n", "config.scrape_configs[0].sample_limit: expected a non-negative integer, got int -1" },
        { "  scrape_configs: [{job_name: a, honor_labels: 'true'}]\n", "config.scrape_configs[0].honor_labels: expected a boolean, got string \"true\"" },
        { "  scrape_configs: [{job_name: a, bearer_token: x, bearer_token_file: y}]\n", "config.scrape_configs[0]: at most one of bearer_token & bearer_token_file must be configured" },
        { "  scrape_configs: [{job_name: a, bearer_token: x, basic_auth: {username: u}}]\n", "config.scrape_configs[0]: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
        { "  scrape_configs: [{job_name: a, basic_auth: {password: p, password_file: f}}]\n", "config.scrape_configs[0]: at most one of basic_auth password, password_file & password_ref must be configured" },
        { "  scrape_configs: [{job_name: a, bearer_token: x, authorization: {credentials: c}}]\n", "config.scrape_configs[0]: authorization is not compatible with bearer_token & bearer_token_file" },
        { "  scrape_configs: [{job_name: a, authorization: {type: Basic, credentials: c}}]\n", "config.scrape_configs[0]: authorization type cannot be set to \"basic\", use \"basic_auth\" instead" },
        { "  scrape_configs: [{job_name: a, authorization: {credentials: c}, basic_auth: {username: u}}]\n", "config.scrape_configs[0]: at most one of basic_auth, oauth2 & authorization must be configured" },
        { "  scrape_configs: [{job_name: a, oauth2: {token_url: 'http://t'}}]\n", "config.scrape_configs[0]: oauth2 client_id must be configured" },
        { "  scrape_configs: [{job_name: a, oauth2: {client_id: c}}]\n", "config.scrape_configs[0]: oauth2 token_url must be configured" },
        { "  scrape_configs: [{job_name: a, tls_config: {ca: x, ca_file: y}}]\n", "config.scrape_configs[0]: at most one of ca, ca_file & ca_ref must be configured" },
        { "  scrape_configs: [{job_name: a, tls_config: {cert_file: c}}]\n", "config.scrape_configs[0]: exactly one of key or key_file must be configured when a client certificate is configured" },
        { "  scrape_configs: [{job_name: a, tls_config: {min_version: TLS14}}]\n", "config.scrape_configs[0].tls_config.min_version: unknown TLS version: TLS14" },
        { "  scrape_configs: [{job_name: a, no_proxy: x}]\n", "config.scrape_configs[0]: if no_proxy is configured, proxy_url must also be configured" },
        { "  scrape_configs: [{job_name: a, proxy_url: 'http://p', proxy_from_environment: true}]\n", "config.scrape_configs[0]: if proxy_from_environment is configured, proxy_url must not be configured" },
        { "  scrape_configs: [{job_name: a, relabel_configs: [null]}]\n", "config.scrape_configs[0].relabel_configs[0]: empty or null target relabeling rule in scrape config" },
        { "  scrape_configs: [{job_name: a, metric_relabel_configs: [null]}]\n", "config.scrape_configs[0].metric_relabel_configs[0]: empty or null metric relabeling rule in scrape config" },
        { "  scrape_configs: [{job_name: a, relabel_configs: [{action: Explode}]}]\n", "config.scrape_configs[0].relabel_configs[0].action: unknown relabel action \"Explode\"" },
        { "  scrape_configs: [{job_name: a, relabel_configs: [{action: null}]}]\n", "config.scrape_configs[0].relabel_configs[0].action: relabel action cannot be empty" },
        { "  scrape_configs: [{job_name: a, relabel_configs: [{source_labels: ['']}]}]\n", "config.scrape_configs[0].relabel_configs[0].source_labels: \"\" is not a valid label name" },
        { "  scrape_configs: [{job_name: a, relabel_configs: [{modulus: -1}]}]\n", "config.scrape_configs[0].relabel_configs[0].modulus: expected a non-negative integer, got int -1" },
    };

    [Theory]
    [MemberData(nameof(ScrapeCases))]
    public void Load_InvalidScrapeConfig_ReportsExactError(string configBody, string expected) =>
        Assert.Equal([expected], Errors("config:\n" + configBody + "prometheus_cr: {enabled: true}\n"));

    public static TheoryData<string, string> KubernetesCases => new()
    {
        { "{}", "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)" },
        { "{role: pods}", "unknown Kubernetes SD role \"pods\"" },
        { "{role: pod, api_server: 'https://k', kubeconfig_file: /k}", "cannot use 'kubeconfig_file' and 'api_server' simultaneously" },
        { "{role: pod, kubeconfig_file: /k, bearer_token: t}", "cannot use a custom HTTP client configuration together with 'kubeconfig_file'" },
        { "{role: pod, bearer_token: t}", "to use custom HTTP client configuration please provide the 'api_server' URL explicitly" },
        { "{role: pod, api_server: 'https://k', namespaces: {own_namespace: true}}", "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously" },
        { "{role: pod, kubeconfig_file: /k, namespaces: {own_namespace: true}}", "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously" },
        { "{role: pod, selectors: [{role: pod}, {role: pod}]}", "duplicated selector role: pod" },
        { "{role: service, selectors: [{role: pod}]}", "service role supports only service selectors" },
    };

    [Theory]
    [MemberData(nameof(KubernetesCases))]
    public void Load_InvalidKubernetesSd_ReportsExactError(string sd, string expected)
    {
        var errors = Errors(
            $"config: {{scrape_configs: [{{job_name: k, kubernetes_sd_configs: [{sd}]}}]}}\nprometheus_cr: {{enabled: true}}\n",
            supported: new HashSet<string> { "kubernetes_sd_configs" });
        Assert.Equal(["config.scrape_configs[0].kubernetes_sd_configs[0]: " + expected], errors);
    }

    [Fact]
    public void Load_StaticTargetWithSlashAndRelabelConfigs_Accepted()
    {
        var c = Load("config: {scrape_configs: [{job_name: a, relabel_configs: [{target_label: x, replacement: y}], static_configs: [{targets: ['http://ok']}]}]}\n");
        Assert.Equal("http://ok", c.PromConfig!.ScrapeConfigs[0].StaticConfigs[0].Targets[0][0].Value);
    }

    [Fact]
    public void Load_RelabelValidatorHook_CalledForEveryRuleWithPath()
    {
        var seen = new List<RelabelConfig>();
        string? Validate(RelabelConfig rc)
        {
            seen.Add(rc);
            return rc.Action == RelabelAction.HashMod && rc.Modulus == 0 ? "relabel configuration for hashmod requires non-zero modulus" : null;
        }

        var errors = Errors(
            """
            collector_namespace: ns1
            config:
              scrape_configs:
                - job_name: a
                  relabel_configs: [{target_label: x}, {action: hashmod, target_label: y}]
                  metric_relabel_configs: [{action: HashMod, target_label: z}]
            """,
            validateRelabel: Validate);
        Assert.Equal(
            [
                "config.scrape_configs[0].relabel_configs[1]: relabel configuration for hashmod requires non-zero modulus",
                "config.scrape_configs[0].metric_relabel_configs[0]: relabel configuration for hashmod requires non-zero modulus",
            ],
            errors);
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void Load_ErrorsInSeveralJobs_AllReported()
    {
        var errors = Errors("""
            config:
              scrape_configs:
                - {job_name: a, scrape_interval: 1s, scrape_timeout: 2s}
                - {job_name: b, dns_sd_configs: [{names: [x]}]}
                - {job_name: c, http_sd_configs: [{url: ''}]}
            prometheus_cr: {enabled: true}
            """);
        Assert.Equal(3, errors.Count);
    }
}
