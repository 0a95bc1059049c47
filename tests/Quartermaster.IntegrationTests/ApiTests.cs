using System.Net;
using System.Text;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests;

public sealed class ApiTests
{
    private const string TwoJobs = """
        collectors:
          static: [collector-0, collector-1]
        config:
          scrape_configs:
            - job_name: prometheus
              static_configs:
                - targets: ["prom.domain:9001"]
                  labels: {my: label}
            - job_name: serviceMonitor/default/my-app/0
              static_configs:
                - targets: ["10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100"]
        """;

    private static async Task WaitForJobsAsync(AllocatorHost host, int jobs) =>
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs")).Split("_link").Length - 1 == jobs,
            TimeSpan.FromSeconds(10),
            $"{jobs} jobs");

    [Fact]
    public async Task ScrapeConfigs_SpecExample_ByteForByte()
    {
        await using var host = await AllocatorHost.StartAsync("""
            collectors: {static: [collector-0]}
            config:
              scrape_configs:
                - job_name: prometheus
                  static_configs:
                    - targets: ["prom.domain:9001"]
                      labels: {my: label}
            """);

        using var response = await host.Client.GetAsync("/scrape_configs");

        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(
            "{\"prometheus\":{\"always_scrape_classic_histograms\":false,\"convert_classic_histograms_to_nhcb\":false," +
            "\"enable_compression\":true,\"enable_http2\":true,\"extra_scrape_metrics\":false,\"follow_redirects\":true," +
            "\"honor_timestamps\":true,\"job_name\":\"prometheus\",\"metric_name_escaping_scheme\":\"allow-utf-8\"," +
            "\"metric_name_validation_scheme\":\"utf8\",\"metrics_path\":\"/metrics\",\"scheme\":\"http\",\"scrape_interval\":\"1m\"," +
            "\"scrape_native_histograms\":false,\"scrape_protocols\":[\"OpenMetricsText1.0.0\",\"OpenMetricsText0.0.1\"," +
            "\"PrometheusText1.0.0\",\"PrometheusText0.0.4\"],\"scrape_timeout\":\"10s\",\"static_configs\":[{\"labels\":{\"my\":\"label\"}," +
            "\"targets\":[\"prom.domain:9001\"]}],\"track_timestamps_staleness\":false}}",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Jobs_ListsJobsWithTargets_WithEscapedLinks()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);
        await WaitForJobsAsync(host, 2);

        using var response = await host.Client.GetAsync("/jobs");

        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(
            "{\"prometheus\":{\"_link\":\"/jobs/prometheus/targets\"},\"serviceMonitor/default/my-app/0\":{\"_link\":\"/jobs/serviceMonitor%2Fdefault%2Fmy-app%2F0/targets\"}}\n",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Targets_ByCollector_UnionIsEveryTarget_AndBodiesAreHttpSdGroups()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);
        await WaitForJobsAsync(host, 2);

        var c0 = await host.GetStringAsync("/jobs/serviceMonitor%2Fdefault%2Fmy-app%2F0/targets?collector_id=collector-0");
        var c1 = await host.GetStringAsync("/jobs/serviceMonitor%2Fdefault%2Fmy-app%2F0/targets?collector_id=collector-1");
        var map = await host.GetStringAsync("/jobs/serviceMonitor%2Fdefault%2Fmy-app%2F0/targets");

        foreach (var address in new[] { "10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100" })
        {
            Assert.True(c0.Contains(address, StringComparison.Ordinal) ^ c1.Contains(address, StringComparison.Ordinal), address);
            Assert.Contains($"{{\"targets\":[\"{address}\"],\"labels\":{{\"__address__\":\"{address}\"}}}}", map, StringComparison.Ordinal);
        }

        Assert.EndsWith("\n", c0, StringComparison.Ordinal);
        Assert.StartsWith("{\"collector-0\":{\"_link\":\"/debug/jobs/serviceMonitor%2Fdefault%2Fmy-app%2F0/targets?collector_id=collector-0\",\"targets\":[", map, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/jobs/nope/targets?collector_id=collector-0", "[]\n")]
    [InlineData("/jobs/prometheus/targets?collector_id=nobody", "[]\n")]
    [InlineData("/jobs/prometheus/targets?collector_id=", "[]\n")]
    public async Task Targets_UnknownJobOrCollector_IsEmptyArray(string path, string expected)
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);
        await WaitForJobsAsync(host, 2);

        using var response = await host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Targets_UndecodableJobName_Is400WithReason()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);

        // Sent raw: HttpClient would re-escape the malformed '%' before it reached the server.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /jobs/100%zz/targets?collector_id=c HTTP/1.1\r\nHost: {host.BaseAddress.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        Assert.Contains("percent-encoding", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPath_Is404PageNotFound()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);

        using var response = await host.Client.GetAsync("/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Collectors_ShowLastPolls_AndUnknownCollectorIds()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);
        await WaitForJobsAsync(host, 2);

        await host.GetStringAsync("/jobs/prometheus/targets?collector_id=collector-1");
        await host.GetStringAsync("/jobs/prometheus/targets?collector_id=${POD_NAME}");

        using var doc = System.Text.Json.JsonDocument.Parse(await host.GetStringAsync("/collectors"));
        var collectors = doc.RootElement.GetProperty("collectors");
        Assert.True(collectors.GetProperty("collector-1").GetProperty("last_polls").TryGetProperty("prometheus", out _));
        Assert.False(collectors.GetProperty("collector-0").GetProperty("last_polls").TryGetProperty("prometheus", out _));
        Assert.Equal(4, collectors.EnumerateObject().Sum(c => c.Value.GetProperty("targets").GetInt32()));
        Assert.True(doc.RootElement.GetProperty("unknown_collector_ids").TryGetProperty("${POD_NAME}", out _));
        Assert.Matches("quartermaster_unknown_collector_polls_total\\{[^}]*\\} 1", await host.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Targets_GzipWhenAsked_DecompressesToTheSameBytes()
    {
        await using var host = await AllocatorHost.StartAsync(BigJob("collector-0"));
        await WaitForJobsAsync(host, 1);
        var plain = await host.GetStringAsync("/jobs/big/targets?collector_id=collector-0");

        var (compressed, json) = await GetGzipAsync(host, "/jobs/big/targets?collector_id=collector-0");

        Assert.True(compressed < plain.Length / 3, $"{compressed} vs {plain.Length}");
        Assert.Equal(plain, json);
    }

    /// <summary>One job of 60 static targets: bodies well past the 1 KiB gzip threshold.</summary>
    private static string BigJob(string collectors) => $$"""
        collectors: {static: [{{collectors}}]}
        config:
          scrape_configs:
            - job_name: big
              static_configs:
                - targets: [{{string.Join(", ", Enumerable.Range(1, 60).Select(i => $"\"10.2.0.{i}:9100\""))}}]
                  labels: {team: observability, env: production}
        """;

    /// <summary>GETs <paramref name="path"/> accepting gzip; asserts the answer is gzip and returns its size and JSON.</summary>
    private static async Task<(int CompressedLength, string Json)> GetGzipAsync(AllocatorHost host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await host.Client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        var compressed = await response.Content.ReadAsByteArrayAsync();
        await using var gunzip = new System.IO.Compression.GZipStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gunzip, Encoding.UTF8);
        return (compressed.Length, await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task CompressStoredBodies_ServesTheSameJsonPlainAndGzip()
    {
        var config = BigJob("collector-0, collector-1");
        await using var reference = await AllocatorHost.StartAsync(config);
        await using var host = await AllocatorHost.StartAsync(config + "\nhttp_server: {compress_stored_bodies: true}\n");
        await WaitForJobsAsync(reference, 1);
        await WaitForJobsAsync(host, 1);

        foreach (var path in new[] { "/jobs/big/targets?collector_id=collector-0", "/jobs/big/targets?collector_id=collector-1", "/jobs/big/targets" })
        {
            var expected = await reference.GetStringAsync(path);
            Assert.Equal(expected, await host.GetStringAsync(path));
            Assert.Equal(expected, (await GetGzipAsync(host, path)).Json);
        }
    }

    [Fact]
    public async Task FirstRequest_AlreadySeesTheConfiguration()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);

        // No wait: the first snapshot is published before the listener opens.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);
        Assert.Contains("\"job_name\":\"prometheus\"", await host.GetStringAsync("/scrape_configs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LivezReadyz_AnswerOkOnceConfigured()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);

        await AllocatorHost.WaitUntilAsync(
            async () => (await host.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10),
            "readiness");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/livez")).StatusCode);
    }

    [Fact]
    public async Task Metrics_ExposeUpstreamInstrumentNames()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);
        await WaitForJobsAsync(host, 2);

        var metrics = await host.GetStringAsync("/metrics");

        Assert.Contains("opentelemetry_allocator_targets{", metrics, StringComparison.Ordinal);
        Assert.Contains("opentelemetry_allocator_targets_per_collector{", metrics, StringComparison.Ordinal);
        Assert.Contains("opentelemetry_allocator_collectors_allocatable{", metrics, StringComparison.Ordinal);
        Assert.Contains("opentelemetry_allocator_targets_remaining", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_InvalidConfig_KeepsServingLastGood_ThenAppliesFixedOne()
    {
        await using var host = await AllocatorHost.StartAsync(TwoJobs);
        await WaitForJobsAsync(host, 2);
        var before = await host.GetStringAsync("/scrape_configs");
        var targetsBefore = await host.GetStringAsync("/jobs/prometheus/targets");

        await File.WriteAllTextAsync(host.ConfigPath, "config:\n  scrape_configs:\n    - job_name: a\n      scrape_interval: 10s\n      scrape_timeout: 15s\n      static_configs: [{targets: ['x:1']}]\n");
        var reloads = host.Services.GetService(typeof(Quartermaster.Hosting.ConfigService)) as Quartermaster.Hosting.ConfigService;
        await AllocatorHost.WaitUntilAsync(() => Task.FromResult(reloads!.LastError is not null), TimeSpan.FromSeconds(20), "the reload to be rejected");

        Assert.Contains("scrape_timeout", reloads!.LastError, StringComparison.Ordinal);
        Assert.Equal(before, await host.GetStringAsync("/scrape_configs"));
        Assert.Equal(targetsBefore, await host.GetStringAsync("/jobs/prometheus/targets"));

        // A regex that does not compile is rejected at load, never applied.
        await File.WriteAllTextAsync(host.ConfigPath, TwoJobs + "\n      relabel_configs:\n        - source_labels: [__address__]\n          regex: \"(\"\n          action: keep\n");
        await AllocatorHost.WaitUntilAsync(() => Task.FromResult(reloads.LastError?.Contains("relabel_configs[0]", StringComparison.Ordinal) == true), TimeSpan.FromSeconds(20), "the bad regex to be rejected");
        Assert.Contains("missing closing )", reloads.LastError, StringComparison.Ordinal);
        Assert.Equal(before, await host.GetStringAsync("/scrape_configs"));
        Assert.Matches("quartermaster_config_reloads_total\\{[^}]*result=\"rejected\"[^}]*\\} 2", await host.GetStringAsync("/metrics"));
        Assert.Matches("quartermaster_config_reloads_total\\{[^}]*result=\"applied\"[^}]*\\} 1", await host.GetStringAsync("/metrics"));

        await File.WriteAllTextAsync(host.ConfigPath, TwoJobs.Replace("prom.domain:9001", "prom.domain:9002", StringComparison.Ordinal));
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs/prometheus/targets")).Contains("prom.domain:9002", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "the fixed config to be applied");
        Assert.Null(reloads.LastError);
    }

    [Fact]
    public async Task FileSd_BrokenFile_KeepsLastTargets()
    {
        var dir = Directory.CreateTempSubdirectory("qm-it-").FullName;
        var sdFile = Path.Combine(dir, "targets.json");
        await File.WriteAllTextAsync(sdFile, "[{\"targets\":[\"10.1.0.1:80\",\"10.1.0.2:80\"],\"labels\":{\"env\":\"prod\"}}]");
        await using var host = await AllocatorHost.StartAsync($$"""
            collectors: {static: [collector-0]}
            config:
              scrape_configs:
                - job_name: files
                  file_sd_configs:
                    - files: ["{{sdFile}}"]
                      refresh_interval: 1s
            """, dir);
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs/files/targets?collector_id=collector-0")).Contains("10.1.0.2:80", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "file_sd targets");
        var good = await host.GetStringAsync("/jobs/files/targets?collector_id=collector-0");
        Assert.Contains($"\"__meta_filepath\":\"{sdFile}\"", good, StringComparison.Ordinal);

        await File.WriteAllTextAsync(sdFile, "[{\"targets\": [broken");
        var discovery = (Quartermaster.Discovery.DiscoveryManager)host.Services.GetService(typeof(Quartermaster.Discovery.DiscoveryManager))!;
        await AllocatorHost.WaitUntilAsync(
            () => Task.FromResult(discovery.Sources.Any(s => s.LastError is not null)),
            TimeSpan.FromSeconds(20),
            "the broken file to be reported");

        Assert.Equal(good, await host.GetStringAsync("/jobs/files/targets?collector_id=collector-0"));
        var metrics = await host.GetStringAsync("/metrics");
        Assert.Matches("quartermaster_discovery_source_failing\\{[^}]*job_name=\"files\"[^}]*\\} 1", metrics);
        Assert.Matches("quartermaster_discovery_failures_total\\{[^}]*mechanism=\"file_sd\"[^}]*\\} [1-9]", metrics);

        // The directory is watched (the process' one inotify instance), so the source is failing but not degraded.
        Assert.Matches("quartermaster_discovery_source_degraded\\{[^}]*job_name=\"files\"[^}]*\\} 0", metrics);
        Assert.All(discovery.Sources, s => Assert.Null(s.Warning));
    }
}
