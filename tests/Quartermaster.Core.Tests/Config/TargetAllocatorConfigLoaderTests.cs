using Quartermaster.Core.Config;
using static Quartermaster.Core.Tests.Config.ConfigTestHelpers;

namespace Quartermaster.Core.Tests.Config;

public sealed class TargetAllocatorConfigLoaderTests
{
    private const string MinimalJob = "config: {scrape_configs: [{job_name: a, static_configs: [{targets: ['h:1']}]}]}\n";

    [Fact]
    public void Load_OperatorExample_LoadsEveryKey()
    {
        var c = Load(TestData("operator-example.yaml"));

        Assert.Equal("consistent-hashing", c.AllocationStrategy);
        Assert.Equal("opentelemetry-collector", c.CollectorSelector!.MatchLabels["app.kubernetes.io/component"]);
        Assert.Equal(4, c.CollectorSelector.MatchLabels.Count);
        Assert.Empty(c.CollectorSelector.MatchExpressions);
        Assert.Equal(PromDuration.FromSeconds(30), c.PromConfig!.Global.ScrapeInterval);
        Assert.Equal(["PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText0.0.4"], c.PromConfig.Global.ScrapeProtocols!);
        var job = Assert.Single(c.PromConfig.ScrapeConfigs);
        Assert.Equal("otel-collector", job.JobName);
        Assert.Equal(PromDuration.FromSeconds(10), job.ScrapeInterval);
        Assert.Equal(PromDuration.FromSeconds(10), job.ScrapeTimeout);
        Assert.Equal(c.PromConfig.Global.ScrapeProtocols, job.ScrapeProtocols);
        var group = Assert.Single(job.StaticConfigs);
        Assert.Equal("0", group.Source);
        Assert.Equal(["0.0.0.0:8888", "0.0.0.0:9999"], group.Targets.Select(t => t[0].Value));
        Assert.True(c.RelabelFilteringEnabled);
        Assert.True(c.PrometheusCr.Enabled);
        Assert.Equal("my-instance", c.PrometheusCr.PodMonitorSelector!.MatchLabels["release"]);
        Assert.Null(c.PrometheusCr.ServiceMonitorSelector);
        Assert.NotNull(c.PrometheusCr.ServiceMonitorNamespaceSelector);
        Assert.Empty(c.PrometheusCr.ServiceMonitorNamespaceSelector.MatchLabels);
        Assert.Equal(PromDuration.FromSeconds(30), c.PrometheusCr.EvaluationInterval);
        Assert.Equal(["PrometheusText1.0.0"], c.PrometheusCr.ScrapeProtocols);
        Assert.True(c.Https.Enabled);
        Assert.Equal(":8443", c.Https.ListenAddr);
        Assert.Equal("/tls/ca.crt", c.Https.CaFilePath);
        Assert.Equal("/tls/tls.crt", c.Https.TlsCertFilePath);
        Assert.Equal("/tls/tls.key", c.Https.TlsKeyFilePath);
        Assert.Empty(c.Warnings);
    }

    [Fact]
    public void Load_StandaloneKustomizeDefault_Loads()
    {
        var c = Load(TestData("standalone-kustomize.yaml"));

        Assert.True(c.PrometheusCr.Enabled);
        Assert.NotNull(c.PrometheusCr.ServiceMonitorSelector);
        Assert.NotNull(c.PrometheusCr.PodMonitorSelector);
        Assert.Null(c.PrometheusCr.ProbeSelector);
        Assert.Empty(c.PromConfig!.ScrapeConfigs);
        Assert.Null(c.CollectorSelector);
    }

    [Fact]
    public void Load_EmptyFileWithCrWatcher_AppliesUpstreamDefaults()
    {
        var c = Load("prometheus_cr: {enabled: true}", env: new Dictionary<string, string> { ["OTELCOL_NAMESPACE"] = "ns", ["HOME"] = "/home/u" });

        Assert.Equal(":8080", c.ListenAddr);
        Assert.Equal("/home/u/.kube/config", c.KubeConfigFilePath);
        Assert.Equal("consistent-hashing", c.AllocationStrategy);
        Assert.Equal("", c.AllocationFallbackStrategy);
        Assert.Equal("relabel-config", c.FilterStrategy);
        Assert.Equal(TimeSpan.FromSeconds(30), c.CollectorNotReadyGracePeriod);
        Assert.Equal(PromDuration.FromSeconds(30), c.PrometheusCr.ScrapeInterval);
        Assert.Equal(PrometheusCrConfig.DefaultScrapeProtocols, c.PrometheusCr.ScrapeProtocols);
        Assert.Equal(":8443", c.Https.ListenAddr);
        Assert.False(c.AllowInsecureAuthSecrets);
        Assert.Null(c.PromConfig);
        Assert.Equal("v0.10", c.ConsistentHashingRingVersion);
    }

    [Fact]
    public void Load_Precedence_DefaultsThenFileThenEnvThenFlags()
    {
        const string yaml = MinimalJob + "listen_addr: ':7000'\ncollector_namespace: from-file\nhttps: {listen_addr: ':7443'}\n";

        var fileOnly = Load(yaml, env: new Dictionary<string, string>());
        Assert.Equal(":7000", fileOnly.ListenAddr);
        Assert.Equal("from-file", fileOnly.CollectorNamespace);
        Assert.Equal(":7443", fileOnly.Https.ListenAddr);
        Assert.False(fileOnly.Https.Enabled);

        var env = new Dictionary<string, string> { ["OTELCOL_NAMESPACE"] = "from-env", ["ALLOW_INSECURE_AUTH_SECRETS"] = "true" };
        var withEnv = Load(yaml, env: env);
        Assert.Equal("from-env", withEnv.CollectorNamespace);
        Assert.True(withEnv.AllowInsecureAuthSecrets);

        var flags = new ConfigOverrides
        {
            ListenAddr = ":9000",
            EnablePrometheusCrWatcher = true,
            KubeConfigPath = "/kube",
            EnableHttpsServer = true,
            ListenAddrHttps = ":9443",
            HttpsCaFile = "/ca",
            HttpsTlsCertFile = "/cert",
            HttpsTlsKeyFile = "/key",
            AllowInsecureAuthSecrets = false,
        };
        var withFlags = Load(yaml, env: env, flags: flags);
        Assert.Equal(":9000", withFlags.ListenAddr);
        Assert.True(withFlags.PrometheusCr.Enabled);
        Assert.Equal("/kube", withFlags.KubeConfigFilePath);
        Assert.True(withFlags.Https.Enabled);
        Assert.Equal(":9443", withFlags.Https.ListenAddr);
        Assert.Equal("/ca", withFlags.Https.CaFilePath);
        Assert.Equal("/cert", withFlags.Https.TlsCertFilePath);
        Assert.Equal("/key", withFlags.Https.TlsKeyFilePath);
        Assert.False(withFlags.AllowInsecureAuthSecrets);
        Assert.Equal("from-env", withFlags.CollectorNamespace);
    }

    [Fact]
    public void Load_EnvNamespaceSetButEmpty_OverridesFile()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            Load(MinimalJob + "collector_namespace: from-file\n", env: new Dictionary<string, string> { ["OTELCOL_NAMESPACE"] = "" }));
        Assert.Contains("collector_namespace: collector namespace must be set", ex.Errors);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("TRUE")]
    [InlineData("1")]
    public void Load_InsecureSecretsEnvNotExactlyTrue_KeepsFileValue(string value)
    {
        var c = Load(MinimalJob + "allow_insecure_auth_secrets: true\n", env: new Dictionary<string, string> { ["OTELCOL_NAMESPACE"] = "n", ["ALLOW_INSECURE_AUTH_SECRETS"] = value });
        Assert.True(c.AllowInsecureAuthSecrets);
        var off = Load(MinimalJob, env: new Dictionary<string, string> { ["OTELCOL_NAMESPACE"] = "n", ["ALLOW_INSECURE_AUTH_SECRETS"] = value });
        Assert.False(off.AllowInsecureAuthSecrets);
    }

    [Fact]
    public void Load_KeysInOtherCase_MatchCaseInsensitively()
    {
        var c = Load(MinimalJob + "LISTEN_ADDR: ':1'\nAllocation_Strategy: least-weighted\nPrometheus_CR: {Enabled: true, SCRAPE_INTERVAL: 1m0s}\nHTTPS: {Listen_Addr: ':2'}\n");

        Assert.Equal(":1", c.ListenAddr);
        Assert.Equal("least-weighted", c.AllocationStrategy);
        Assert.True(c.PrometheusCr.Enabled);
        Assert.Equal(PromDuration.FromSeconds(60), c.PrometheusCr.ScrapeInterval);
        Assert.Equal(":2", c.Https.ListenAddr);
    }

    [Fact]
    public void Load_ExactKeyAndOtherCase_ExactWins()
    {
        var c = Load(MinimalJob + "LISTEN_ADDR: ':1'\nlisten_addr: ':2'\n");
        Assert.Equal(":2", c.ListenAddr);
        Assert.Contains(c.Warnings, w => w.StartsWith("LISTEN_ADDR", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_UnknownKeys_IgnoredWithWarnings()
    {
        var c = Load(MinimalJob + "some_key: some_value\nprometheus_cr: {bogus: 1}\n");
        Assert.Contains("some_key: unknown key ignored", c.Warnings);
        Assert.Contains("prometheus_cr.bogus: unknown key ignored", c.Warnings);
    }

    [Fact]
    public void Load_ExplicitNull_KeepsDefaults()
    {
        var c = Load(MinimalJob + "listen_addr: null\nfilter_strategy: ~\nprometheus_cr: {scrape_interval: null, pod_monitor_namespace_selector: null}\n");
        Assert.Equal(":8080", c.ListenAddr);
        Assert.Equal("relabel-config", c.FilterStrategy);
        Assert.Equal(PromDuration.FromSeconds(30), c.PrometheusCr.ScrapeInterval);
        Assert.NotNull(c.PrometheusCr.PodMonitorNamespaceSelector);
    }

    [Theory]
    [InlineData("1m0s", 60_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2000000000", 2_000)]
    [InlineData("0s", 0)]
    public void Load_GracePeriod_ParsedAsGoDuration(string value, int expectedMs)
    {
        var c = Load(MinimalJob + $"collector_not_ready_grace_period: {value}\n");
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), c.CollectorNotReadyGracePeriod);
    }

    [Fact]
    public void Load_GracePeriodInDays_RejectedAsUpstreamDoes()
    {
        var errors = Errors(MinimalJob + "collector_not_ready_grace_period: 1d\n");
        Assert.Equal("collector_not_ready_grace_period: \"1d\" is not a valid duration (time: unknown unit \"d\" in duration \"1d\"); expected a Go duration such as \"30s\" or \"1m0s\"", Assert.Single(errors));
    }

    [Fact]
    public void Load_CamelCaseSelectorKeys_Accepted()
    {
        var c = Load(MinimalJob + "collector_selector: {matchLabels: {a: b}, matchExpressions: [{key: k, operator: In, values: [v]}]}\n");
        Assert.Equal("b", c.CollectorSelector!.MatchLabels["a"]);
        Assert.Equal(("k", "In"), (c.CollectorSelector.MatchExpressions[0].Key, c.CollectorSelector.MatchExpressions[0].Operator));
        Assert.Equal(["v"], c.CollectorSelector.MatchExpressions[0].Values);
    }

    [Fact]
    public void Load_PrometheusCrExtras_Stored()
    {
        var c = Load(MinimalJob + """
            prometheus_cr:
              secret_namespaces: [a, b]
              deny_fs_access_through_sms: true
              scrape_classes:
                - name: default
                  default: true
            """);
        Assert.Equal(["a", "b"], c.PrometheusCr.SecretNamespaces!);
        Assert.True(c.PrometheusCr.DenyFsAccessThroughSms);
        Assert.Contains("name: default", c.PrometheusCr.ScrapeClassesYaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_StaticCollectors_IdsAndNodes()
    {
        var c = Load("collectors: {static: [c0, {id: c1, node: n1}]}\n" + MinimalJob, env: new Dictionary<string, string>());
        Assert.Equal([new StaticCollector("c0"), new StaticCollector("c1", "n1")], c.Collectors.Static!);
        Assert.Equal("", c.CollectorNamespace);
    }

    [Fact]
    public void Load_RingVersion_Read()
    {
        Assert.Equal("v1.0", Load(MinimalJob + "consistent_hashing: {ring_version: v1.0}\n").ConsistentHashingRingVersion);
    }

    [Fact]
    public void Load_OperatorGeneration_DefaultsToCurrentAndReadsV078()
    {
        Assert.Equal("current", Load(MinimalJob).PrometheusCr.OperatorGeneration);
        Assert.Equal("v0.78", Load(MinimalJob + "prometheus_cr: {operator_generation: v0.78}\n").PrometheusCr.OperatorGeneration);
        Assert.Equal("current", Load(MinimalJob + "prometheus_cr: {operator_generation: current}\n").PrometheusCr.OperatorGeneration);
    }

    [Fact]
    public void Load_EmbeddedDefaultConfig_Loads()
    {
        var c = Load(TestData("default-targetallocator.yaml"), env: new Dictionary<string, string>());
        Assert.Equal("collector-0", Assert.Single(c.Collectors.Static!).Id);
        Assert.Equal(PromDuration.FromSeconds(30), Assert.Single(c.PromConfig!.ScrapeConfigs).ScrapeInterval);
    }

    [Fact]
    public void Load_BadYaml_ReportsLineAndColumn()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("listen_addr: ':1'\nconfig:\n  scrape_configs: [\n    - a\n"));
        var error = Assert.Single(ex.Errors);
        Assert.Matches(@"^test\.yaml:\d+:\d+: ", error);
    }

    [Fact]
    public void Load_MappingValueInPlainScalar_ReportsLineAndColumn()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("x: 1\ny: 2\nz: a: b\n"));
        Assert.StartsWith("test.yaml:3:", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnterminatedFlowSequence_ReportsPosition()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("a: 1\nb: [x\nc: 2\n"));
        Assert.Matches(@"^test\.yaml:[23]:\d+: ", Assert.Single(ex.Errors));
    }

    [Fact]
    public void Load_ManyErrors_AllReportedInOnePass()
    {
        var errors = Errors("""
            listen_addr: 8080
            allocation_strategy: round-robin
            filter_strategy: relabel
            https: {enabled: "true"}
            config:
              scrape_configs:
                - job_name: a
                  scrape_interval: 10s
                  scrape_timeout: 15s
                - job_name: a
            """);
        Assert.Equal(
            [
                "listen_addr: expected a string, got int 8080",
                "config.scrape_configs[0].scrape_timeout: \"15s\" is greater than scrape_interval \"10s\"",
                "https.enabled: expected a boolean, got string \"true\"",
                "allocation_strategy: \"round-robin\" is not a known strategy; expected one of consistent-hashing, least-weighted, per-node",
                "filter_strategy: \"relabel\" is not a known filter strategy; expected \"relabel-config\" or \"\"",
            ],
            errors);
    }

    [Fact]
    public void Load_DuplicateKey_ReportsPosition()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("listen_addr: ':1'\nlisten_addr: ':2'\n"));
        Assert.StartsWith("test.yaml:2:", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFile_ReportsRequiredSettings()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("", env: new Dictionary<string, string>()));
        Assert.Equal(
            ["at least one scrape config must be defined, or Prometheus CR watching must be enabled", "collector_namespace: collector namespace must be set"],
            ex.Errors);
    }

    [Fact]
    public void Load_NoHttpServer_DefaultsToFourPermitsPerProcessorAndAThousandQueued()
    {
        var c = Load(MinimalJob);

        Assert.Equal(4 * Environment.ProcessorCount, c.HttpServer.ConcurrencyLimit);
        Assert.Equal(1000, c.HttpServer.QueueLimit);
        Assert.Null(c.HttpServer.MaxConnections);
    }

    [Fact]
    public void Load_HttpServer_ReadsEveryKey()
    {
        var c = Load(MinimalJob + "http_server: {concurrency_limit: 1, queue_limit: 0, max_connections: 500}\n");

        Assert.Equal(1, c.HttpServer.ConcurrencyLimit);
        Assert.Equal(0, c.HttpServer.QueueLimit);
        Assert.Equal(500, c.HttpServer.MaxConnections);
    }

    [Fact]
    public void Load_HttpServerNullValues_KeepDefaults()
    {
        var c = Load(MinimalJob + "http_server: {concurrency_limit: null, queue_limit: ~}\n");

        Assert.Equal(HttpServerConfig.DefaultConcurrencyLimit, c.HttpServer.ConcurrencyLimit);
        Assert.Equal(HttpServerConfig.DefaultQueueLimit, c.HttpServer.QueueLimit);
    }
}
