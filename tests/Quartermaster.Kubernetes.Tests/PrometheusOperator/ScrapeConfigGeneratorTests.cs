using System.Text.Json;
using CsCheck;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes.PrometheusOperator;

namespace Quartermaster.Kubernetes.Tests.PrometheusOperator;

public sealed class ScrapeConfigGeneratorTests
{
    private const string TwoMonitors = """
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: b, namespace: ns}
        spec:
          endpoints:
          - port: web
            bearerTokenSecret: {name: tokens, key: b}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: a, namespace: ns}
        spec:
          endpoints:
          - port: web
            bearerTokenSecret: {name: tokens, key: a}
          - port: web2
            bearerTokenSecret: {name: tokens, key: a}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: c, namespace: ns}
        spec:
          endpoints:
          - port: web
            bearerTokenSecret: {name: tokens, key: missing}
            tlsConfig: {ca: {configMap: {name: ca, key: ca.crt}}}
        """;

    [Fact]
    public void Generate_MonitorsReferencingSecrets_ReportsAssetsOfGeneratedResourcesOnceInOrder()
    {
        var store = new FakeAssetStore();
        store.Add(new AssetReference(AssetKind.Secret, "ns", "tokens", "a"), "token-a");
        store.Add(new AssetReference(AssetKind.Secret, "ns", "tokens", "b"), "token-b");
        store.Add(new AssetReference(AssetKind.ConfigMap, "ns", "ca", "ca.crt"), "CA");

        var result = ScrapeConfigGenerator.Generate(TestResources.Resources(TwoMonitors), new GeneratorSettings(), store);

        Assert.Equal(
            [new AssetReference(AssetKind.Secret, "ns", "tokens", "a"), new AssetReference(AssetKind.Secret, "ns", "tokens", "b")],
            result.AssetsUsed);
        Assert.Equal(["serviceMonitor/ns/a/0", "serviceMonitor/ns/a/1", "serviceMonitor/ns/b/0"], result.Jobs.Select(j => j.JobName));
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal(new ResourceRejection(MonitoringKind.ServiceMonitor, "ns", "c",
            "spec.endpoints[0].bearerTokenSecret: secret ns/tokens key \"missing\": key not found"), rejection);
    }

    [Fact]
    public void Generate_WholeDocument_ParsesToTheSameJobsAsParseJobs()
    {
        var store = new FakeAssetStore();
        store.Add(new AssetReference(AssetKind.Secret, "ns", "tokens", "a"), "token-a");
        store.Add(new AssetReference(AssetKind.Secret, "ns", "tokens", "b"), "token-b");
        var settings = new GeneratorSettings();

        var result = ScrapeConfigGenerator.Generate(TestResources.Resources(TwoMonitors), settings, store);
        var whole = TestResources.ParseExpected(result.ScrapeConfigsYaml, settings);
        var parsed = ScrapeConfigGenerator.ParseJobs(result, settings);

        Assert.Equal(3, parsed.Jobs.Count);
        Assert.Equal(TestResources.Json(whole), TestResources.Json(parsed.Jobs));
        Assert.Equal("token-a", parsed.Jobs[0].HttpClient.Authorization!.Credentials);
    }

    [Fact]
    public void Generate_NoResources_EmptyScrapeConfigList()
    {
        var result = ScrapeConfigGenerator.Generate([], new GeneratorSettings(), new FakeAssetStore());

        Assert.Equal("scrape_configs: []\n", result.ScrapeConfigsYaml);
        Assert.Empty(ScrapeConfigGenerator.ParseJobs(result, new GeneratorSettings()).Jobs);
    }

    [Fact]
    public void Generate_KindsMixed_ServiceMonitorsThenPodMonitorsThenProbesThenScrapeConfigs()
    {
        const string yaml = """
            kind: ScrapeConfig
            metadata: {name: a, namespace: a}
            spec: {staticConfigs: [{targets: ["h:1"]}]}
            ---
            kind: Probe
            metadata: {name: a, namespace: a}
            spec: {prober: {url: "p:1"}, targets: {staticConfig: {static: [t]}}}
            ---
            kind: PodMonitor
            metadata: {name: a, namespace: a}
            spec: {podMetricsEndpoints: [{port: x}]}
            ---
            kind: ServiceMonitor
            metadata: {name: z, namespace: z}
            spec: {endpoints: [{port: x}]}
            """;

        var result = ScrapeConfigGenerator.Generate(TestResources.Resources(yaml), new GeneratorSettings(), new FakeAssetStore());

        Assert.Equal(["serviceMonitor/z/z/0", "podMonitor/a/a/0", "probe/a/a", "scrapeConfig/a/a"], result.Jobs.Select(j => j.JobName));
        Assert.Equal(4, ScrapeConfigGenerator.ParseJobs(result, new GeneratorSettings()).Jobs.Count);
    }

    [Fact]
    public void ParseJobs_GlobalSettings_ApplyToJobsWithoutTheirOwn()
    {
        var settings = new GeneratorSettings { ScrapeInterval = PromDuration.FromSeconds(45), ScrapeProtocols = ["PrometheusText0.0.4"] };
        var resources = TestResources.Resources("kind: PodMonitor\nmetadata: {name: a, namespace: a}\nspec: {podMetricsEndpoints: [{port: x}]}\n");

        var job = Assert.Single(ScrapeConfigGenerator.ParseJobs(ScrapeConfigGenerator.Generate(resources, settings, new FakeAssetStore()), settings).Jobs);

        Assert.Equal("45s", job.ScrapeInterval.ToString());
        Assert.Equal("10s", job.ScrapeTimeout.ToString());
        Assert.Equal(["PrometheusText0.0.4"], job.ScrapeProtocols!);
    }

    [Fact]
    public void Generate_AnyJobNameText_SurvivesYamlQuotingExactly()
    {
        var text = Gen.Char.Where(c => !char.IsSurrogate(c)).Array[0, 30].Select(c => new string(c));
        text.Sample(jobName =>
        {
            var spec = JsonSerializer.SerializeToElement(new Dictionary<string, object>
            {
                ["jobName"] = jobName,
                ["staticConfigs"] = new[] { new Dictionary<string, object> { ["targets"] = new[] { "h:1" }, ["labels"] = new Dictionary<string, string> { ["l"] = jobName } } },
            });
            var resource = new MonitoringResource(MonitoringKind.ScrapeConfig, "ns", "sc", new Dictionary<string, string>(), spec);
            var settings = new GeneratorSettings();

            var parsed = ScrapeConfigGenerator.ParseJobs(ScrapeConfigGenerator.Generate([resource], settings, new FakeAssetStore()), settings);

            var job = Assert.Single(parsed.Jobs);
            Assert.Equal(jobName, Assert.Single(job.StaticConfigs).Labels.Single(l => l.Name == "l").Value);
            if (jobName.Length > 0)
            {
                Assert.Equal(jobName, job.RelabelConfigs[1].Replacement);
            }
        });
    }

    [Fact]
    public void ParseScrapeClasses_TwoDefaults_ConfigError()
    {
        var ex = Assert.Throws<ConfigException>(() => GeneratorSettings.ParseScrapeClasses("- {name: a, default: true}\n- {name: b, default: true}\n"));

        Assert.Equal(["prometheus_cr.scrape_classes: failed to validate scrape classes: multiple default scrape classes defined"], ex.Errors);
    }

    [Fact]
    public void ParseScrapeClasses_BadField_ConfigErrorNamesIt()
    {
        var ex = Assert.Throws<ConfigException>(() => GeneratorSettings.ParseScrapeClasses("- {name: a, relabelings: {a: b}}\n- {default: true}\n"));

        Assert.Equal(
            ["prometheus_cr.scrape_classes[0].relabelings: expected a list, got an object", "prometheus_cr.scrape_classes[1].name: a scrape class needs a name"],
            ex.Errors);
    }

    [Fact]
    public void FromConfig_PrometheusCr_CarriesEverySetting()
    {
        var settings = TestResources.Settings("""
            scrape_interval: 15s
            evaluation_interval: 1m
            scrape_protocols: [PrometheusProto]
            deny_fs_access_through_sms: true
            operator_generation: v0.78
            scrape_classes:
            - name: one
              default: true
              attachMetadata: {node: true}
              fallbackScrapeProtocol: PrometheusText1.0.0
            """);

        Assert.Equal("15s", settings.ScrapeInterval.ToString());
        Assert.Equal("1m", settings.EvaluationInterval.ToString());
        Assert.Equal(["PrometheusProto"], settings.ScrapeProtocols);
        Assert.True(settings.DenyFsAccessThroughSms);
        Assert.Equal(OperatorGeneration.V078, settings.OperatorGeneration);
        Assert.Equal("monitoring", settings.CollectorNamespace);
        var cls = Assert.Single(settings.ScrapeClasses);
        Assert.Equal(("one", true, (bool?)true, "PrometheusText1.0.0"), (cls.Name, cls.Default, cls.AttachMetadataNode, cls.FallbackScrapeProtocol));
    }
}
