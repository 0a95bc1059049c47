using System.Net;
using System.Text.Json;
using Quartermaster.Cli;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests;

/// <summary><c>/explain</c>, <c>qmctl explain</c> and <c>qmctl status</c> against the running service.</summary>
public sealed class ExplainTests
{
    private static async Task<AllocatorHost> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("qm-it-").FullName;
        var broken = Path.Combine(dir, "broken.json");
        await File.WriteAllTextAsync(broken, "[{\"targets\": [oops");
        var host = await AllocatorHost.StartAsync($$"""
            collectors: {static: [collector-0]}
            config:
              scrape_configs:
                - job_name: web
                  static_configs:
                    - targets: ["10.0.0.1:80", "10.0.0.2:80"]
                      labels: {env: prod}
                  relabel_configs:
                    - source_labels: [__address__]
                      regex: "10\\.0\\.0\\.2:80"
                      action: drop
                - job_name: files
                  file_sd_configs:
                    - files: ["{{broken}}"]
                      refresh_interval: 1s
            """, dir);
        var discovery = (Quartermaster.Discovery.DiscoveryManager)host.Services.GetService(typeof(Quartermaster.Discovery.DiscoveryManager))!;
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs/web/targets?collector_id=collector-0")).Contains("10.0.0.1:80", StringComparison.Ordinal)
                && discovery.Sources.Any(s => s.LastError is not null),
            TimeSpan.FromSeconds(20),
            "the web targets and the broken file to be reported");
        return host;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(AllocatorHost host, string path)
    {
        using var response = await host.Client.GetAsync(path);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    [Fact]
    public async Task Explain_KeptTarget_ShowsTraceCollectorAndPollThatContainedIt()
    {
        await using var host = await StartAsync();

        var (status, body) = await GetAsync(host, "/explain?target=10.0.0.1:80");

        Assert.Equal(HttpStatusCode.OK, status);
        var seen = Assert.Single(body.GetProperty("seen_in").EnumerateArray());
        Assert.Equal("web", seen.GetProperty("job").GetString());
        Assert.Equal("static", seen.GetProperty("source").GetString());
        Assert.True(seen.GetProperty("relabel").GetProperty("kept").GetBoolean());
        Assert.Equal(16, seen.GetProperty("identity").GetProperty("hash").GetString()!.Length);
        Assert.Equal("collector-0", seen.GetProperty("allocation").GetProperty("collector").GetString());
        var poll = seen.GetProperty("last_poll");
        Assert.True(poll.GetProperty("contained_target").GetBoolean());
        Assert.Equal("collector-0", poll.GetProperty("collector").GetString());
    }

    [Fact]
    public async Task Explain_DroppedTarget_NamesRuleAndAction()
    {
        await using var host = await StartAsync();

        var (status, body) = await GetAsync(host, "/explain?target=10.0.0.2:80&job=web");

        Assert.Equal(HttpStatusCode.OK, status);
        var relabel = Assert.Single(body.GetProperty("seen_in").EnumerateArray()).GetProperty("relabel");
        Assert.False(relabel.GetProperty("kept").GetBoolean());
        Assert.Equal(0, relabel.GetProperty("dropped_by_rule").GetInt32());
        Assert.Equal("drop", relabel.GetProperty("dropped_by_action").GetString());
    }

    [Fact]
    public async Task Explain_NeverDiscovered_Answers404WithCandidateJobs()
    {
        await using var host = await StartAsync();

        var (status, body) = await GetAsync(host, "/explain?target=10.9.9.9:80");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not found: 10.9.9.9:80; never discovered, jobs that could have found it: files", body.GetProperty("error").GetString());
        var candidates = body.GetProperty("candidate_jobs").EnumerateArray().ToList();
        Assert.Equal(["files", "web"], candidates.Select(c => c.GetProperty("job").GetString()));
        var files = candidates[0].GetProperty("sources")[0];
        Assert.Equal("file_sd/0", files.GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.String, files.GetProperty("last_error").ValueKind);
        Assert.False(candidates[1].GetProperty("could_have_found").GetBoolean());
    }

    [Fact]
    public async Task Explain_NeverDiscovered_NamesUnsetPrometheusCrSelectors()
    {
        await using var host = await AllocatorHost.StartAsync("""
            collectors: {static: [collector-0]}
            prometheus_cr:
              enabled: true
              pod_monitor_selector: {}
            config:
              scrape_configs:
                - job_name: web
                  static_configs: [{targets: ["10.0.0.1:80"]}]
            """);

        var (status, body) = await GetAsync(host, "/explain?target=10.9.9.9:80");

        Assert.Equal(HttpStatusCode.NotFound, status);
        var notes = body.GetProperty("discovery_notes").EnumerateArray().Select(n => n.GetString()!).ToList();
        Assert.Contains(notes, n => n.StartsWith("prometheus_cr.service_monitor_selector is not set, so no ServiceMonitor is selected", StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.Contains("pod_monitor_selector", StringComparison.Ordinal));

        // A found target carries no notes.
        var (found, foundBody) = await GetAsync(host, "/explain?target=10.0.0.1:80");
        Assert.Equal(HttpStatusCode.OK, found);
        Assert.Equal(0, foundBody.GetProperty("discovery_notes").GetArrayLength());
    }

    [Theory]
    [InlineData("/explain", "missing target")]
    [InlineData("/explain?target=%7Ba%3Dx%7D", "expected a double-quoted value")]
    [InlineData("/explain?target=a%20b", "an address holds no ' '")]
    [InlineData("/explain?target=10.0.0.1:80&job=", "empty job")]
    public async Task Explain_MalformedQuery_Answers400WithExpectedForm(string path, string reason)
    {
        await using var host = await StartAsync();

        var (status, body) = await GetAsync(host, path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(Core.Explain.ExplainQuery.ExpectedForm, body.GetProperty("expected").GetString());
    }

    [Fact]
    public async Task Explain_UnknownCollectorPolled_IsListed()
    {
        await using var host = await StartAsync();
        await host.GetStringAsync("/jobs/web/targets?collector_id=collector_0");

        var (_, body) = await GetAsync(host, "/explain?target=10.0.0.1:80");

        var unknown = Assert.Single(body.GetProperty("unknown_collector_ids").EnumerateArray());
        Assert.Equal("collector_0", unknown.GetProperty("collector_id").GetString());
        Assert.Equal("web", unknown.GetProperty("job").GetString());
    }

    [Fact]
    public async Task QmctlExplain_Found_PrintsSections()
    {
        await using var host = await StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await ExplainCommand.RunAsync(new AllocatorClient(host.BaseAddress), "10.0.0.1:80", "web", "table", stdout, stderr, CancellationToken.None);

        Assert.Equal(0, exit);
        var text = stdout.ToString();
        foreach (var section in new[] { "Seen in", "Relabel trace", "Identity", "Allocation", "Last poll" })
        {
            Assert.Contains(section + "\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("consistent-hashing: collector collector-0", text, StringComparison.Ordinal);
        Assert.Contains("contained the target", text, StringComparison.Ordinal);
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public async Task QmctlExplain_Dropped_NamesRule()
    {
        await using var host = await StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await ExplainCommand.RunAsync(new AllocatorClient(host.BaseAddress), "{__address__=\"10.0.0.2:80\"}", null, "table", stdout, stderr, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("dropped by rule 0 (drop)", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("DROPPED the target", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QmctlExplain_NotFound_ExitsOneWithOneLine()
    {
        await using var host = await StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await ExplainCommand.RunAsync(new AllocatorClient(host.BaseAddress), "10.9.9.9:80", null, "table", stdout, stderr, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Equal("qmctl: not found: 10.9.9.9:80; never discovered, jobs that could have found it: files\n", stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Contains("file_sd/0", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QmctlExplain_Malformed_ExitsOneWithReason()
    {
        await using var host = await StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await ExplainCommand.RunAsync(new AllocatorClient(host.BaseAddress), "{a=", null, "table", stdout, stderr, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.StartsWith("qmctl: invalid label matcher set", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task QmctlExplain_Json_IsTheApiBody()
    {
        await using var host = await StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await ExplainCommand.RunAsync(new AllocatorClient(host.BaseAddress), "10.0.0.1:80", null, "json", stdout, stderr, CancellationToken.None);

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout.ToString());
        Assert.True(doc.RootElement.GetProperty("found").GetBoolean());
    }

    [Fact]
    public async Task QmctlStatus_ShowsReadinessSourcesWarningsAndDistribution()
    {
        await using var host = await StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await StatusCommand.RunAsync(new AllocatorClient(host.BaseAddress), "table", stdout, stderr, CancellationToken.None);

        Assert.Equal(0, exit);
        var text = stdout.ToString();
        Assert.Contains("Ready: yes", text, StringComparison.Ordinal);
        Assert.Matches(@"web\s+static\s+targets 10\.0\.0\.1:80, 10\.0\.0\.2:80\s+ok", text);
        Assert.Matches(@"files\s+file_sd\s+files \S+broken\.json\s+failing: ", text);
        Assert.Matches(@"collector-0\s+1\s+100\.0%", text);
        Assert.Contains("Warnings\n  - discovery file_sd", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QmctlStatus_JsonAndYaml_CarryTheSameFigures()
    {
        await using var host = await StartAsync();
        using var json = new StringWriter();
        using var yaml = new StringWriter();

        Assert.Equal(0, await StatusCommand.RunAsync(new AllocatorClient(host.BaseAddress), "json", json, TextWriter.Null, CancellationToken.None));
        Assert.Equal(0, await StatusCommand.RunAsync(new AllocatorClient(host.BaseAddress), "yaml", yaml, TextWriter.Null, CancellationToken.None));

        using var doc = JsonDocument.Parse(json.ToString());
        Assert.True(doc.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal(1, doc.RootElement.GetProperty("targets").GetInt32());
        Assert.Equal("collector-0", doc.RootElement.GetProperty("collectors")[0].GetProperty("name").GetString());
        Assert.Contains("ready: true\n", yaml.ToString(), StringComparison.Ordinal);
        Assert.Contains("- name: collector-0\n  targets: 1\n", yaml.ToString(), StringComparison.Ordinal);
    }

    private static int RunQmctl(params string[] args)
    {
        var entry = typeof(AllocatorClient).Assembly.EntryPoint!;
        var result = entry.Invoke(null, [args]);
        return result is Task<int> task ? task.GetAwaiter().GetResult() : (int)result!;
    }

    [Fact]
    public async Task CommandLine_ExplainAndStatus_ParseTheirArgumentsAndExitCodes()
    {
        await using var host = await StartAsync();
        var server = host.BaseAddress.ToString();

        Assert.Equal(0, await Task.Run(() => RunQmctl("-s", server, "explain", "10.0.0.1:80", "--job", "web", "-o", "yaml")));
        Assert.Equal(1, await Task.Run(() => RunQmctl("-s", server, "explain", "10.0.0.1:80", "-j", "files")));
        Assert.Equal(0, await Task.Run(() => RunQmctl("-s", server, "status", "-o", "json")));
        Assert.Equal(0, await Task.Run(() => RunQmctl("-s", server, "collectors", "-o", "yaml")));
        Assert.NotEqual(0, await Task.Run(() => RunQmctl("-s", server, "explain")));
    }

    [Fact]
    public async Task QmctlStatus_UnreachableServer_ExitsOneNamingUrl()
    {
        using var stderr = new StringWriter();

        var exit = await StatusCommand.RunAsync(new AllocatorClient(new Uri("http://127.0.0.1:1")), "table", TextWriter.Null, stderr, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.StartsWith("qmctl: cannot reach the allocator at http://127.0.0.1:1/", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_JobNeedsSecretOverPlainHttp_SaysTheCredentialsAreWithheld()
    {
        await using var host = await AllocatorHost.StartAsync("""
            collectors: {static: [collector-0]}
            config:
              scrape_configs:
                - job_name: private
                  basic_auth: {username: scraper, password: hunter2}
                  static_configs:
                    - targets: ["10.0.0.9:8443"]
                - job_name: public
                  static_configs:
                    - targets: ["10.0.0.8:80"]
            """);
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs/private/targets?collector_id=collector-0")).Contains("10.0.0.9:8443", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the private job's target");

        var (status, body) = await GetAsync(host, "/explain?target=10.0.0.9:8443");
        var (_, other) = await GetAsync(host, "/explain?target=10.0.0.8:80");

        Assert.Equal(HttpStatusCode.OK, status);
        var seen = Assert.Single(body.GetProperty("seen_in").EnumerateArray());
        var reason = seen.GetProperty("secrets_withheld").GetString();
        Assert.NotNull(reason);
        Assert.Contains("job private has credentials", reason, StringComparison.Ordinal);
        Assert.Contains("allow_insecure_auth_secrets", reason, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, Assert.Single(other.GetProperty("seen_in").EnumerateArray()).GetProperty("secrets_withheld").ValueKind);

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await ExplainCommand.RunAsync(new AllocatorClient(host.BaseAddress), "10.0.0.9:8443", "private", "table", stdout, stderr, CancellationToken.None);
        Assert.Equal(0, exit);
        Assert.Contains("Credentials\n  WITHHELD: job private has credentials", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_SecretAllowedOverPlainHttp_NothingWithheld()
    {
        await using var host = await AllocatorHost.StartAsync("""
            collectors: {static: [collector-0]}
            allow_insecure_auth_secrets: true
            config:
              scrape_configs:
                - job_name: private
                  basic_auth: {username: scraper, password: hunter2}
                  static_configs:
                    - targets: ["10.0.0.9:8443"]
            """);
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs/private/targets?collector_id=collector-0")).Contains("10.0.0.9:8443", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the private job's target");

        var (_, body) = await GetAsync(host, "/explain?target=10.0.0.9:8443");

        Assert.Equal(JsonValueKind.Null, Assert.Single(body.GetProperty("seen_in").EnumerateArray()).GetProperty("secrets_withheld").ValueKind);
    }
}
