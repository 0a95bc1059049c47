using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using static Quartermaster.Core.Tests.Config.ConfigTestHelpers;

namespace Quartermaster.Core.Tests.Config;

public sealed class PrometheusConfigDecodingTests
{
    private static ScrapeConfig Single(string jobYaml, string global = "") =>
        Assert.Single(Load("config:\n" + global + "  scrape_configs:\n" + jobYaml).PromConfig!.ScrapeConfigs);

    [Fact]
    public void Decode_MinimalJob_PrometheusDefaultsApplied()
    {
        var sc = Single("    - job_name: a\n");

        Assert.Equal(PromDuration.FromSeconds(60), sc.ScrapeInterval);
        Assert.Equal(PromDuration.FromSeconds(10), sc.ScrapeTimeout);
        Assert.True(sc.HonorTimestamps);
        Assert.False(sc.HonorLabels);
        Assert.True(sc.EnableCompression);
        Assert.Equal("/metrics", sc.MetricsPath);
        Assert.Equal("http", sc.Scheme);
        Assert.Equal(PrometheusCrConfig.DefaultScrapeProtocols, sc.ScrapeProtocols);
        Assert.Equal("utf8", sc.MetricNameValidationScheme);
        Assert.Equal("allow-utf-8", sc.MetricNameEscapingScheme);
        Assert.False(sc.ScrapeNativeHistograms);
        Assert.False(sc.AlwaysScrapeClassicHistograms);
        Assert.False(sc.ConvertClassicHistogramsToNhcb);
        Assert.False(sc.ExtraScrapeMetrics);
        Assert.True(sc.HttpClient.FollowRedirects);
        Assert.True(sc.HttpClient.EnableHttp2);
    }

    [Fact]
    public void Decode_ShortInterval_TimeoutCappedAtInterval()
    {
        Assert.Equal(PromDuration.FromSeconds(5), Single("    - {job_name: a, scrape_interval: 5s}\n").ScrapeTimeout);
    }

    [Fact]
    public void Decode_GlobalSettings_InheritedByJob()
    {
        var sc = Single(
            "    - job_name: a\n",
            "  global: {scrape_interval: 15s, scrape_timeout: 5s, sample_limit: 7, scrape_native_histograms: true, metric_name_validation_scheme: legacy}\n");

        Assert.Equal(PromDuration.FromSeconds(15), sc.ScrapeInterval);
        Assert.Equal(PromDuration.FromSeconds(5), sc.ScrapeTimeout);
        Assert.Equal(7UL, sc.SampleLimit);
        Assert.True(sc.ScrapeNativeHistograms);
        Assert.Equal("PrometheusProto", sc.ScrapeProtocols![0]);
        Assert.Equal("legacy", sc.MetricNameValidationScheme);
        Assert.Equal("underscores", sc.MetricNameEscapingScheme);
    }

    [Fact]
    public void Decode_StaticConfigs_CoercesScalarsDropsNullsAndNumbersSources()
    {
        var sc = Single("""
                - job_name: a
                  static_configs:
                    - targets: [a:1, 8080]
                      labels: {num: 123, flag: true, gone: null, name: x}
                    - targets: [b:2]
            """ + "\n");

        Assert.Equal(["0", "1"], sc.StaticConfigs.Select(g => g.Source));
        Assert.Equal([new Label("__address__", "a:1")], sc.StaticConfigs[0].Targets[0]);
        Assert.Equal("8080", sc.StaticConfigs[0].Targets[1][0].Value);
        Assert.Equal([new Label("flag", "true"), new Label("name", "x"), new Label("num", "123")], sc.StaticConfigs[0].Labels);
        Assert.Empty(sc.StaticConfigs[1].Labels);
    }

    [Fact]
    public void Decode_BearerToken_NormalisedToAuthorization()
    {
        var sc = Single("    - {job_name: a, bearer_token: tok}\n");
        Assert.Equal("", sc.HttpClient.BearerToken);
        Assert.Equal(("Bearer", "tok"), (sc.HttpClient.Authorization!.Type, sc.HttpClient.Authorization.Credentials));

        var file = Single("    - {job_name: a, bearer_token_file: /f}\n");
        Assert.Equal(("Bearer", "/f"), (file.HttpClient.Authorization!.Type, file.HttpClient.Authorization.CredentialsFile));
    }

    [Fact]
    public void Decode_RelabelRules_RegexOmittedNullOrExplicit()
    {
        var sc = Single("""
                - job_name: a
                  relabel_configs:
                    - {target_label: t}
                    - {target_label: t, regex: null}
                    - {target_label: t, regex: "a.*", separator: "", replacement: null, action: LabelMap, modulus: 8}
            """ + "\n");

        Assert.Null(sc.RelabelConfigs[0].Regex);
        Assert.True(sc.RelabelConfigs[0].RegexIsDefault);
        Assert.Equal(";", sc.RelabelConfigs[0].Separator);
        Assert.Equal("$1", sc.RelabelConfigs[0].Replacement);
        Assert.Equal(RelabelAction.Replace, sc.RelabelConfigs[0].Action);
        Assert.Equal("", sc.RelabelConfigs[1].Regex);
        var third = sc.RelabelConfigs[2];
        Assert.Equal(("a.*", "", "", RelabelAction.LabelMap, 8UL), (third.Regex, third.Separator, third.Replacement, third.Action, third.Modulus));
    }

    [Fact]
    public void Decode_FileAndHttpSd_DefaultsAndValues()
    {
        var sc = Single("""
                - job_name: a
                  file_sd_configs: [{files: [/etc/t/*.yaml]}, {files: [x.json], refresh_interval: 1m}]
                  http_sd_configs: [{url: "https://sd:8443/targets", basic_auth: {username: u, password: p}}]
            """ + "\n");

        Assert.Equal(PromDuration.FromSeconds(300), sc.FileSdConfigs[0].RefreshInterval);
        Assert.Equal(PromDuration.FromSeconds(60), sc.FileSdConfigs[1].RefreshInterval);
        Assert.Equal(["x.json"], sc.FileSdConfigs[1].Files);
        Assert.Equal("https://sd:8443/targets", sc.HttpSdConfigs[0].Url);
        Assert.Equal(PromDuration.FromSeconds(60), sc.HttpSdConfigs[0].RefreshInterval);
        Assert.Equal("p", sc.HttpSdConfigs[0].HttpClient.BasicAuth!.Password);
    }

    [Fact]
    public void Decode_UnknownScrapeKey_Warns()
    {
        var c = Load("config: {scrape_configs: [{job_name: a, scrape_intervall: 1m}]}\n");
        Assert.Contains("config.scrape_configs[0].scrape_intervall: unknown key ignored", c.Warnings);
    }

    [Fact]
    public void Decode_PrometheusKeysAreCaseSensitive()
    {
        var c = Load("config: {scrape_configs: [{job_name: a, Scrape_Interval: 5s}]}\n");
        Assert.Equal(PromDuration.FromSeconds(60), c.PromConfig!.ScrapeConfigs[0].ScrapeInterval);
        Assert.Contains("config.scrape_configs[0].Scrape_Interval: unknown key ignored", c.Warnings);
    }
}
