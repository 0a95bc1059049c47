using System.Text;
using Quartermaster.Core.Config;
using static Quartermaster.Core.Tests.Config.ConfigTestHelpers;

namespace Quartermaster.Core.Tests.Config;

public sealed class ScrapeConfigsJsonTests
{
    private static string Serialize(string scrapeConfigsYaml, bool reveal = false)
    {
        var c = Load("config:\n  scrape_configs:\n" + scrapeConfigsYaml);
        return Encoding.UTF8.GetString(ScrapeConfigsJson.Serialize(c.PromConfig!.ScrapeConfigs, reveal));
    }

    [Fact]
    public void Assemble_FromPerJobBytes_EqualsOneObjectOfEveryJob_InGoKeyOrder()
    {
        var c = Load("config:\n  scrape_configs:\n" + """
                - job_name: zeta
                  basic_auth: {username: u, password: s3cret}
                  static_configs: [{targets: [a:1]}]
                - job_name: "é-job"
                  static_configs: [{targets: [b:1]}]
                - job_name: Alpha
                  file_sd_configs: [{files: [x.json]}]
                - job_name: alpha
                  static_configs: [{targets: [c:1]}]
            """);
        var jobs = c.PromConfig!.ScrapeConfigs;
        foreach (var reveal in new[] { false, true })
        {
            var root = GoJson.NewObject();
            foreach (var job in jobs)
            {
                root[job.JobName] = ScrapeConfigsJson.ToJson(job, reveal);
            }

            var whole = new System.Buffers.ArrayBufferWriter<byte>();
            GoJson.Write(whole, root);

            var assembled = ScrapeConfigsJson.Assemble(jobs.Select(j => KeyValuePair.Create(j.JobName, ScrapeConfigsJson.SerializeJob(j, reveal))));
            Assert.Equal(Encoding.UTF8.GetString(whole.WrittenSpan), Encoding.UTF8.GetString(assembled));
            Assert.Equal(assembled, ScrapeConfigsJson.Serialize(jobs, reveal));
        }

        // A later job of the same name replaces an earlier one, as in a map.
        var twice = ScrapeConfigsJson.Assemble([KeyValuePair.Create("a", "1"u8.ToArray()), KeyValuePair.Create("a", "2"u8.ToArray())]);
        Assert.Equal("{\"a\":2}", Encoding.UTF8.GetString(twice));
    }

    [Fact]
    public void Serialize_UpstreamDerivedExample_ByteExact()
    {
        var json = Serialize("""
                - job_name: prometheus
                  static_configs:
                    - targets: ["prom.domain:9001"]
                      labels: {my: label}
            """);
        Assert.Equal(TestData("scrape-configs-derived.json"), json);
    }

    [Fact]
    public void Serialize_PrometheusMarshalExample_ByteExact()
    {
        var json = Serialize("""
                - job_name: ser
                  scrape_interval: 90s
                  basic_auth: {username: u, password: mysecret}
                  static_configs: [{targets: [a:1], labels: {env: prod}}]
                  relabel_configs: [{source_labels: [x], target_label: y, regex: "", separator: ""}]
            """);
        Assert.Equal(TestData("scrape-configs-prometheus-example.json"), json);
        Assert.DoesNotContain("mysecret", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_NoJobs_EmptyObject()
    {
        Assert.Equal("{}"u8.ToArray(), ScrapeConfigsJson.Serialize([], revealSecrets: false));
        Assert.Equal("{}"u8.ToArray(), ScrapeConfigsJson.Serialize([], revealSecrets: true));
    }

    [Fact]
    public void Serialize_Secrets_RedactedOrRevealedAndEmptyOmitted()
    {
        const string yaml = """
                - job_name: s
                  bearer_token: tok
                  tls_config: {cert: C, key: K, server_name: ""}
                  http_headers: {X-A: {values: [v], secrets: [hs]}}
                  static_configs: [{targets: [a:1]}]
                - job_name: e
                  basic_auth: {username: u, password: ""}
                  static_configs: [{targets: [a:1]}]
            """;
        var redacted = Serialize(yaml);
        Assert.Contains("\"authorization\":{\"credentials\":\"\\u003csecret\\u003e\",\"type\":\"Bearer\"}", redacted, StringComparison.Ordinal);
        Assert.Contains("\"tls_config\":{\"cert\":\"C\",\"insecure_skip_verify\":false,\"key\":\"\\u003csecret\\u003e\"}", redacted, StringComparison.Ordinal);
        Assert.Contains("\"http_headers\":{\"X-A\":{\"secrets\":[\"\\u003csecret\\u003e\"],\"values\":[\"v\"]}}", redacted, StringComparison.Ordinal);
        Assert.Contains("\"basic_auth\":{\"username\":\"u\"}", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("bearer_token", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("tok", redacted, StringComparison.Ordinal);

        var revealed = Serialize(yaml, reveal: true);
        Assert.Contains("\"authorization\":{\"credentials\":\"tok\",\"type\":\"Bearer\"}", revealed, StringComparison.Ordinal);
        Assert.Contains("\"key\":\"K\"", revealed, StringComparison.Ordinal);
        Assert.Contains("\"secrets\":[\"hs\"]", revealed, StringComparison.Ordinal);
        Assert.Contains("\"basic_auth\":{\"username\":\"u\"}", revealed, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_KeepEqualAndDropEqual_RegexRemovedDefaultRegexOmitted()
    {
        var json = Serialize("""
                - job_name: r
                  relabel_configs:
                    - {source_labels: [a], target_label: b, action: KeepEqual}
                    - {source_labels: [a], target_label: b, action: dropequal}
                    - {source_labels: [a], target_label: b}
                    - {source_labels: [a], regex: "(.*)", target_label: b}
                    - {source_labels: [a], regex: null, target_label: b}
                    - {source_labels: [a], modulus: 18446744073709551615, target_label: b, action: hashmod}
                  static_configs: [{targets: [a:1]}]
            """);
        Assert.Contains(
            "\"relabel_configs\":[" +
            "{\"action\":\"keepequal\",\"replacement\":\"$1\",\"separator\":\";\",\"source_labels\":[\"a\"],\"target_label\":\"b\"}," +
            "{\"action\":\"dropequal\",\"replacement\":\"$1\",\"separator\":\";\",\"source_labels\":[\"a\"],\"target_label\":\"b\"}," +
            "{\"action\":\"replace\",\"replacement\":\"$1\",\"separator\":\";\",\"source_labels\":[\"a\"],\"target_label\":\"b\"}," +
            "{\"action\":\"replace\",\"regex\":\"(.*)\",\"replacement\":\"$1\",\"separator\":\";\",\"source_labels\":[\"a\"],\"target_label\":\"b\"}," +
            "{\"action\":\"replace\",\"regex\":\"\",\"replacement\":\"$1\",\"separator\":\";\",\"source_labels\":[\"a\"],\"target_label\":\"b\"}," +
            "{\"action\":\"hashmod\",\"modulus\":18446744073709552000,\"replacement\":\"$1\",\"separator\":\";\",\"source_labels\":[\"a\"],\"target_label\":\"b\"}]",
            json,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_HtmlAndControlCharacters_EscapedAsGo()
    {
        var json = Serialize("""
                - job_name: "a<b>&c"
                  metrics_path: "/m\u2028\u2029\t\"\\"
                  static_configs: [{targets: ["h:1"], labels: {"z": "é😀", "\u00e9": "1", "a": "\u0001"}}]
            """);
        Assert.StartsWith("{\"a\\u003cb\\u003e\\u0026c\":{", json, StringComparison.Ordinal);
        Assert.Contains("\"metrics_path\":\"/m\\u2028\\u2029\\t\\\"\\\\\"", json, StringComparison.Ordinal);
        Assert.Contains("\"labels\":{\"a\":\"\\u0001\",\"z\":\"é😀\",\"é\":\"1\"}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_JobKeys_SortedByUtf8Bytes()
    {
        var json = Serialize("""
                - {job_name: b, static_configs: [{targets: [a:1]}]}
                - {job_name: "\uFF21", static_configs: [{targets: [a:1]}]}
                - {job_name: "\U0001F600", static_configs: [{targets: [a:1]}]}
                - {job_name: B, static_configs: [{targets: [a:1]}]}
                - {job_name: a, static_configs: [{targets: [a:1]}]}
            """);
        var order = new[] { "\"B\":", "\"a\":", "\"b\":", "\"\uFF21\":", "\"\U0001F600\":" }.Select(k => json.IndexOf(k, StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i >= 0));
        Assert.Equal(order.Order().ToArray(), order);
    }

    [Fact]
    public void Serialize_LimitsAndOptionalFields_PresentOnlyWhenSet()
    {
        var json = Serialize("""
                - job_name: l
                  honor_labels: true
                  params: {module: [http_2xx], x: [a, b]}
                  sample_limit: 1000
                  body_size_limit: 10MB
                  native_histogram_min_bucket_factor: 1.5
                  fallback_scrape_protocol: PrometheusText0.0.4
                  proxy_url: http://proxy:3128
                  file_sd_configs: [{files: [/a/*.json]}]
                  http_sd_configs: [{url: "http://sd/x?a=1&b=2"}]
            """);
        Assert.Contains("\"honor_labels\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"params\":{\"module\":[\"http_2xx\"],\"x\":[\"a\",\"b\"]}", json, StringComparison.Ordinal);
        Assert.Contains("\"sample_limit\":1000", json, StringComparison.Ordinal);
        Assert.Contains("\"body_size_limit\":\"10MiB\"", json, StringComparison.Ordinal);
        Assert.Contains("\"native_histogram_min_bucket_factor\":1.5", json, StringComparison.Ordinal);
        Assert.Contains("\"fallback_scrape_protocol\":\"PrometheusText0.0.4\"", json, StringComparison.Ordinal);
        Assert.Contains("\"proxy_url\":\"http://proxy:3128\"", json, StringComparison.Ordinal);
        Assert.Contains("\"file_sd_configs\":[{\"files\":[\"/a/*.json\"],\"refresh_interval\":\"5m\"}]", json, StringComparison.Ordinal);
        Assert.Contains("\"http_sd_configs\":[{\"enable_http2\":true,\"follow_redirects\":true,\"refresh_interval\":\"1m\",\"url\":\"http://sd/x?a=1\\u0026b=2\"}]", json, StringComparison.Ordinal);
        Assert.DoesNotContain("target_limit", json, StringComparison.Ordinal);
        Assert.DoesNotContain("static_configs", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_KubernetesSd_FieldsAsPrometheusMarshals()
    {
        var c = Load("""
            config:
              scrape_configs:
                - job_name: k
                  kubernetes_sd_configs:
                    - role: pod
                      namespaces: {names: [a]}
                      selectors: [{role: pod, label: "app=x"}]
                      attach_metadata: {node: true}
                    - role: node
            """, supported: new HashSet<string> { "kubernetes_sd_configs" });
        var json = Encoding.UTF8.GetString(ScrapeConfigsJson.Serialize(c.PromConfig!.ScrapeConfigs, false));
        Assert.Contains(
            "\"kubernetes_sd_configs\":[{\"attach_metadata\":{\"cronjob\":false,\"deployment\":false,\"job\":false,\"namespace\":false,\"node\":true}," +
            "\"enable_http2\":true,\"follow_redirects\":true,\"kubeconfig_file\":\"\",\"namespaces\":{\"names\":[\"a\"],\"own_namespace\":false}," +
            "\"role\":\"pod\",\"selectors\":[{\"label\":\"app=x\",\"role\":\"pod\"}]}," +
            "{\"enable_http2\":true,\"follow_redirects\":true,\"kubeconfig_file\":\"\",\"role\":\"node\"}]",
            json,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(1.5, "1.5")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(1.25e-10, "1.25e-10")]
    [InlineData(18446744073709551615.0, "18446744073709552000")]
    [InlineData(0.1, "0.1")]
    public void FormatNumber_Float64_MatchesGoEncodingJson(double value, string expected) => Assert.Equal(expected, GoJson.FormatNumber(value));
}
