using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Quartermaster.IntegrationTests.Infrastructure;
using Quartermaster.TestCommon.Kubernetes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>
/// prometheus_cr end to end on the fake API server: a ServiceMonitor, its Service and EndpointSlices, a Secret with
/// basic auth and collector pods become a served job whose credentials leave only over mutual TLS, and a real
/// Prometheus given that job scrapes a target that requires the credentials.
/// </summary>
public sealed class PrometheusCrEndToEndTests
{
    private const string Job = "serviceMonitor/shop/web/0";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private static readonly Dictionary<string, string> CollectorLabels = new() { ["app.kubernetes.io/component"] = "opentelemetry-collector" };

    private static JsonObject ServiceMonitor(string name, string interval = "1s", string? relabelRegex = null)
    {
        var endpoint = new JsonObject
        {
            ["port"] = "http",
            ["interval"] = interval,
            ["scrapeTimeout"] = "1s",
            ["basicAuth"] = new JsonObject
            {
                ["username"] = new JsonObject { ["name"] = "web-auth", ["key"] = "user" },
                ["password"] = new JsonObject { ["name"] = "web-auth", ["key"] = "password" },
            },
        };
        if (relabelRegex is not null)
        {
            endpoint["relabelings"] = new JsonArray(new JsonObject { ["sourceLabels"] = new JsonArray("__address__"), ["regex"] = relabelRegex, ["action"] = "keep" });
        }

        return new JsonObject
        {
            ["apiVersion"] = "monitoring.coreos.com/v1",
            ["kind"] = "ServiceMonitor",
            ["metadata"] = KubeObjects.Metadata("shop", name),
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
                ["endpoints"] = new JsonArray(endpoint),
            },
        };
    }

    private static JsonObject Secret(string password) =>
        KubeObjects.Secret("shop", "web-auth", new Dictionary<string, string> { ["user"] = "scraper", ["password"] = password });

    private static async Task<JsonElement?> ServedJobAsync(HttpClient client)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/scrape_configs"));
        return doc.RootElement.TryGetProperty(Job, out var job) ? job.Clone() : null;
    }

    private static string? Password(JsonElement? job) =>
        job is { } j && j.TryGetProperty("basic_auth", out var auth) && auth.TryGetProperty("password", out var p) ? p.GetString() : null;

    [Fact]
    public async Task ServiceMonitorWithSecret_ServedRedactedOnHttp_RealOverMtls_FollowsUpdates_AndPrometheusScrapesWithTheCredentials()
    {
        Assert.True(PrometheusServer.IsInstalled, "prometheus is not installed; run ./test.sh, which installs it");
        using var pki = TestPki.Create();
        await using var target = await FakeTarget.StartAsync(("scraper", "first-pass"));
        var port = int.Parse(target.Address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        var dir = Directory.CreateTempSubdirectory("qm-cr-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        api.Upsert(KubeObjects.Namespace("otel"));
        api.Upsert(KubeObjects.Namespace("shop"));
        api.Upsert(KubeObjects.Pod("otel", "collector-0", CollectorLabels, nodeName: "n1"));
        api.Upsert(KubeObjects.Service("shop", "web", port, new Dictionary<string, string> { ["app"] = "web" }));
        api.Upsert(KubeObjects.EndpointSlice("shop", "web-1", "web", ["127.0.0.1"], port));
        api.Upsert(Secret("first-pass"));
        api.Upsert(ServiceMonitor("web"));
        api.Upsert(ServiceMonitor("broken", relabelRegex: "(unclosed"));

        await using var host = await AllocatorHost.StartAsync($$"""
            kube_config_file_path: {{kubeconfig}}
            collector_namespace: otel
            collector_selector:
              matchLabels:
                app.kubernetes.io/component: opentelemetry-collector
            prometheus_cr:
              enabled: true
              service_monitor_selector: {}
              secret_namespaces: [shop]
            https:
              enabled: true
              ca_file_path: {{pki.CaFile}}
              tls_cert_file_path: {{pki.ServerCertFile}}
              tls_key_file_path: {{pki.ServerKeyFile}}
            """, dir);
        using var mtls = pki.Client(host.HttpsAddress!, pki.TrustedClient);

        await AllocatorHost.WaitUntilAsync(async () => Password(await ServedJobAsync(mtls)) == "first-pass", Timeout, "the generated job over mTLS");
        Assert.Equal("\u003csecret\u003e", Password(await ServedJobAsync(host.Client)));
        using (var anonymous = pki.Client(host.HttpsAddress!, null))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetStringAsync("/scrape_configs"));
        }

        // The broken ServiceMonitor is rejected alone, and said so.
        var readyz = await host.GetStringAsync("/readyz?verbose");
        Assert.Contains("ServiceMonitor shop/broken rejected", readyz, StringComparison.Ordinal);
        Assert.DoesNotContain("serviceMonitor/shop/broken/0", await host.GetStringAsync("/scrape_configs"), StringComparison.Ordinal);

        // /jobs and the collector's targets: the endpoint slice's address, discovered through kubernetes_sd.
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync($"/jobs/{Uri.EscapeDataString(Job)}/targets?collector_id=collector-0")).Contains(target.Address, StringComparison.Ordinal),
            Timeout,
            "the endpoint assigned to collector-0");
        Assert.Contains(Job, await host.GetStringAsync("/jobs"), StringComparison.Ordinal);

        // A real Prometheus given the served job (its SD replaced by the allocator's http_sd, as the receiver does) scrapes with the credentials.
        var served = JsonNode.Parse((await ServedJobAsync(mtls))!.Value.GetRawText())!.AsObject();
        served.Remove("kubernetes_sd_configs");
        // Fields newer than the Prometheus the tests run; the receiver's Prometheus library knows them.
        foreach (var newer in new[]
        {
            "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb", "enable_compression", "extra_scrape_metrics",
            "metric_name_escaping_scheme", "metric_name_validation_scheme", "scrape_native_histograms", "scrape_protocols",
            "track_timestamps_staleness", "fallback_scrape_protocol",
        })
        {
            served.Remove(newer);
        }

        served["scrape_interval"] = "1s";
        served["scrape_timeout"] = "1s";
        served["http_sd_configs"] = new JsonArray(new JsonObject
        {
            ["url"] = new Uri(host.BaseAddress, $"/jobs/{Uri.EscapeDataString(Job)}/targets?collector_id=collector-0").AbsoluteUri,
            ["refresh_interval"] = "1s",
        });
        // The receiver also substitutes the operator's $(SHARD) placeholder (SHARD from its environment, else 0).
        var job = served.ToJsonString().Replace("$(SHARD)", "0", StringComparison.Ordinal);
        await using (var prometheus = await PrometheusServer.StartAsync($"global: {{scrape_interval: 1s, scrape_timeout: 1s}}\nscrape_configs:\n  - {job}\n"))
        {
            try
            {
                await AllocatorHost.WaitUntilAsync(
                    async () => (await prometheus.ActiveTargetsAsync()).Any(t => t.Address == target.Address && t.Health == "up"),
                    TimeSpan.FromSeconds(60),
                    "Prometheus to scrape the target with the Secret's basic auth");
            }
            catch (TimeoutException)
            {
                Assert.Fail($"targets: {string.Join(", ", (await prometheus.ActiveTargetsAsync()).Select(t => t.Address + " " + t.Health))}; "
                    + $"dropped: {await prometheus.Client.GetStringAsync("/api/v1/targets?state=dropped")}; config: {served.ToJsonString()}; "
                    + $"http_sd: {await host.GetStringAsync($"/jobs/{Uri.EscapeDataString(Job)}/targets?collector_id=collector-0")}; log: {prometheus.Log}");
            }
        }

        // The Secret and the ServiceMonitor change; the served config follows both.
        api.Upsert(Secret("second-pass"));
        await AllocatorHost.WaitUntilAsync(async () => Password(await ServedJobAsync(mtls)) == "second-pass", Timeout, "the updated Secret");
        api.Upsert(ServiceMonitor("web", interval: "7s"));
        await AllocatorHost.WaitUntilAsync(
            async () => (await ServedJobAsync(mtls)) is { } j && j.GetProperty("scrape_interval").GetString() == "7s", Timeout, "the updated ServiceMonitor");

        // A missing key: the job is flagged and its last good config kept.
        api.Upsert(KubeObjects.Secret("shop", "web-auth", new Dictionary<string, string> { ["user"] = "scraper" }));
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/readyz?verbose")).Contains("ServiceMonitor shop/web not regenerated, last good jobs kept", StringComparison.Ordinal),
            Timeout,
            "the missing Secret key to be reported");
        Assert.Equal("second-pass", Password(await ServedJobAsync(mtls)));
    }

    [Fact]
    public async Task PlainHttpOnly_JobWithSecrets_IsFlaggedAsWithheld()
    {
        await using var api = await FakeKubeApiServer.StartAsync(new FakeKubeApiServerOptions { BearerToken = "quartermaster-test-token" });
        var dir = Directory.CreateTempSubdirectory("qm-cr-").FullName;
        var kubeconfig = api.WriteKubeconfig(dir);
        api.Upsert(KubeObjects.Namespace("otel"));
        api.Upsert(KubeObjects.Namespace("shop"));
        api.Upsert(Secret("pw"));
        api.Upsert(ServiceMonitor("web"));

        await using var host = await AllocatorHost.StartAsync($$"""
            kube_config_file_path: {{kubeconfig}}
            collector_namespace: otel
            collectors: {static: [collector-0]}
            prometheus_cr:
              enabled: true
              service_monitor_selector: {}
            """, dir);

        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/readyz?verbose")).Contains($"job {Job}: credentials withheld", StringComparison.Ordinal),
            Timeout,
            "the withheld credentials to be reported");
        await AllocatorHost.WaitUntilAsync(
            async () => Password(await ServedJobAsync(host.Client)) == "\u003csecret\u003e", Timeout, "the job served redacted over HTTP");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);

        // Each generation from the Prometheus CR watcher is one upstream event.
        var events = (await host.GetStringAsync("/metrics")).Split('\n')
            .Single(l => l.StartsWith("opentelemetry_allocator_events_total{", StringComparison.Ordinal));
        Assert.Contains("source=\"EventSourcePrometheusCR\"", events, StringComparison.Ordinal);
        Assert.True(long.Parse(events[(events.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 1, events);
    }
}
