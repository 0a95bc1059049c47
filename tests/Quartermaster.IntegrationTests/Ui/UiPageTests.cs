using System.Net;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests.Ui;

public sealed class UiPageTests : IClassFixture<UiPageTests.Host>
{
    private const string Hostile = "<script>alert(1)</script>";

    private readonly Host _host;

    public UiPageTests(Host host)
    {
        _host = host;
    }

    private async Task<(HttpStatusCode Status, string Body, string? ContentType)> GetAsync(string path)
    {
        using var response = await _host.Allocator.Client.GetAsync(path, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.Content.Headers.ContentType?.ToString());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/ui/jobs")]
    [InlineData("/ui/jobs/web")]
    [InlineData("/ui/collectors")]
    [InlineData("/ui/collectors/collector-0")]
    [InlineData("/ui/targets")]
    [InlineData("/ui/targets?q=web-1")]
    [InlineData("/ui/unassigned")]
    [InlineData("/ui/scrape-configs")]
    [InlineData("/debug/jobs")]
    [InlineData("/debug/job?job_id=web")]
    [InlineData("/debug/targets")]
    [InlineData("/debug/collectors")]
    [InlineData("/debug/collector?collector_id=collector-1")]
    [InlineData("/debug/scrape_configs")]
    [InlineData("/debug/jobs/web/targets")]
    public async Task Page_Renders_HtmlWithNavigation(string path)
    {
        var (status, body, contentType) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/html; charset=utf-8", contentType);
        Assert.StartsWith("<!DOCTYPE html>", body, StringComparison.Ordinal);
        Assert.Contains("<nav><a href=\"/\">Overview</a><a href=\"/ui/jobs\">Jobs</a>", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Hostile, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_ShowsCountsReadinessAndSources()
    {
        var (_, body, _) = await GetAsync("/");

        Assert.Contains("<a href=\"/ui/targets\">Targets</a></td><td class=\"num\">10</td>", body, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/ui/jobs\">Jobs</a></td><td class=\"num\">3</td>", body, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/ui/collectors\">Collectors</a></td><td class=\"num\">2</td>", body, StringComparison.Ordinal);
        Assert.Contains("applied (version ", body, StringComparison.Ordinal);
        Assert.Contains("Discovery sources", body, StringComparison.Ordinal);
        Assert.Contains("Job dropall: relabeling dropped all 2 discovered targets.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileLabelValue_IsEncodedOnEveryPageThatShowsIt()
    {
        var encoded = "&lt;script&gt;alert(1)&lt;/script&gt;";
        var (_, search, _) = await GetAsync("/ui/targets?q=" + Uri.EscapeDataString(Hostile));
        var (_, job, _) = await GetAsync("/ui/jobs/web");

        Assert.Contains(encoded, search, StringComparison.Ordinal);
        Assert.Contains("value=\"" + encoded + "\"", search, StringComparison.Ordinal);
        Assert.Contains(encoded, job, StringComparison.Ordinal);
        Assert.DoesNotContain(Hostile, search + job, StringComparison.Ordinal);
        var hash = System.Text.RegularExpressions.Regex.Match(job, "/ui/target\\?job=web&amp;hash=(\\d+)\">10.0.0.8:80<").Groups[1].Value;
        var (status, detail, _) = await GetAsync($"/ui/target?job=web&hash={hash}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(encoded, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Hostile, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ByLabelMatcher_FindsOnlyThatTarget()
    {
        var (_, body, _) = await GetAsync("/ui/targets?q=" + Uri.EscapeDataString("__address__=10.0.0.3:80"));

        Assert.Contains("1–1 of 1", body, StringComparison.Ordinal);
        Assert.Contains(">10.0.0.3:80</a>", body, StringComparison.Ordinal);
        Assert.DoesNotContain(">10.0.0.4:80</a>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_SecondPage_ShowsThatWindowAndLinks()
    {
        var (_, body, _) = await GetAsync("/ui/jobs/web?page=2&size=3");

        Assert.Contains("4–6 of 8", body, StringComparison.Ordinal);
        Assert.Contains("href=\"/ui/jobs/web?page=1&amp;size=3\">« previous</a>", body, StringComparison.Ordinal);
        Assert.Contains("href=\"/ui/jobs/web?page=3&amp;size=3\">next »</a>", body, StringComparison.Ordinal);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(body, "/ui/target\\?job=web"));
    }

    [Fact]
    public async Task Paging_PastTheEnd_ShowsNoRows()
    {
        var (status, body, _) = await GetAsync("/ui/targets?page=50");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("of 10", body, StringComparison.Ordinal);
        Assert.DoesNotContain("/ui/target?", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/targets?page=0", "page must be one whole number")]
    [InlineData("/ui/targets?page=abc", "page must be one whole number")]
    [InlineData("/ui/targets?page=-1", "page must be one whole number")]
    [InlineData("/ui/jobs/web?size=0", "size must be one whole number")]
    [InlineData("/ui/unassigned?size=100000", "size must be one whole number")]
    [InlineData("/ui/collectors/collector-0?page=1&page=2", "page must be one whole number")]
    [InlineData("/ui/target?job=web&hash=xyz", "Expected hash to be a number")]
    [InlineData("/debug/target?target_hash=", "Expected target_hash in the query string")]
    [InlineData("/debug/collector", "Expected collector_id in the query string")]
    [InlineData("/debug/job", "Expected job_id once")]
    public async Task MalformedQuery_Returns400WithExpectedForm(string path, string reason)
    {
        var (status, body, contentType) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("text/html; charset=utf-8", contentType);
        Assert.Contains(reason, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/jobs/nope", "Unknown job: &quot;nope&quot;")]
    [InlineData("/debug/job?job_id=nope", "Unknown job: &quot;nope&quot;")]
    [InlineData("/ui/collectors/ghost", "Unknown collector: &quot;ghost&quot;")]
    [InlineData("/debug/collector?collector_id=ghost", "Unknown collector: &quot;ghost&quot;")]
    [InlineData("/ui/jobs/web?collector=ghost", "Unknown collector: &quot;ghost&quot;")]
    [InlineData("/ui/target?job=web&hash=42", "no target with hash 42 in job &quot;web&quot;")]
    [InlineData("/debug/target?target_hash=42", "no target with hash 42")]
    public async Task UnknownResource_Returns404NamingIt(string path, string message)
    {
        var (status, body, _) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains(message, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobPage_ListsDroppedTargetsWithTheRule()
    {
        var (_, body, _) = await GetAsync("/ui/jobs/dropall");

        Assert.Contains("2 dropped.", body, StringComparison.Ordinal);
        Assert.Contains("relabel_configs[1]: action drop, source_labels [__address__], regex 10\\.9\\..*", body, StringComparison.Ordinal);
        Assert.Contains("__address__=&quot;10.9.0.1:80&quot;", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetDetail_ShowsTheExplainView()
    {
        var (_, job, _) = await GetAsync("/ui/jobs/web");
        var hash = System.Text.RegularExpressions.Regex.Match(job, "/ui/target\\?job=web&amp;hash=(\\d+)\">10.0.0.3:80<").Groups[1].Value;

        var (status, body, _) = await GetAsync($"/ui/target?job=web&hash={hash}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<h2>Explain</h2>", body, StringComparison.Ordinal);
        Assert.Contains("Seen in job web, source static", body, StringComparison.Ordinal);
        Assert.Contains("kept, identity " + ulong.Parse(hash, System.Globalization.CultureInfo.InvariantCulture).ToString("x16", System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
        Assert.Contains("<td>Allocation</td><td class=\"ok\">collector <a href=\"/ui/collectors/collector-", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainPage_DroppedTarget_NamesTheRule()
    {
        var (status, body, _) = await GetAsync("/ui/explain?target=10.9.0.1:80");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("dropped by relabel_configs[1] (action drop)", body, StringComparison.Ordinal);
        Assert.Contains("<td>relabel_configs[0]</td><td>drop</td>", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/explain?target=" + "%7Bbad", 400, "invalid label matcher set")]
    [InlineData("/ui/explain?target=10.99.0.1:80", 404, "not found: ")]
    [InlineData("/ui/explain", 200, "Give an address or a label matcher set")]
    public async Task ExplainPage_AnswersByOutcome(string path, int expectedStatus, string text)
    {
        var (status, body, _) = await GetAsync(path);

        Assert.Equal(expectedStatus, (int)status);
        Assert.Contains(text, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobWithSlashes_IsReachableByItsEscapedName()
    {
        var (status, body, _) = await GetAsync("/ui/jobs/" + Uri.EscapeDataString("serviceMonitor/ns/app/0"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<h1>Job: serviceMonitor/ns/app/0</h1>", body, StringComparison.Ordinal);
        Assert.Contains(">10.1.0.1:9100</a>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectorsPage_ShowsPollsAndUnknownCollectorIds()
    {
        await _host.Allocator.Client.GetStringAsync("/jobs/web/targets?collector_id=collector-0", TestContext.Current.CancellationToken);
        await _host.Allocator.Client.GetStringAsync("/jobs/web/targets?collector_id=typo-collector", TestContext.Current.CancellationToken);

        var (_, body, _) = await GetAsync("/ui/collectors");
        var (_, overview, _) = await GetAsync("/");

        Assert.Contains("web: 0s ago", body, StringComparison.Ordinal);
        Assert.Contains("<td>typo-collector</td>", body, StringComparison.Ordinal);
        Assert.Contains("matches no collector (answered with []): typo-collector", overview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScrapeConfigs_AreRedactedAndIndented()
    {
        var (_, body, _) = await GetAsync("/ui/scrape-configs");

        Assert.Contains("&quot;password&quot;: &quot;&lt;secret&gt;&quot;", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.Contains("\n  &quot;job_name&quot;: &quot;web&quot;", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamJsonRoutes_AnswerHtmlWhenAsked()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs");
        request.Headers.Accept.ParseAdd("text/html");
        using var html = await _host.Allocator.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var json = await _host.Allocator.Client.GetStringAsync("/jobs", TestContext.Current.CancellationToken);

        Assert.Equal("text/html; charset=utf-8", html.Content.Headers.ContentType?.ToString());
        Assert.Contains("<h1>Jobs</h1>", await html.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.StartsWith("{", json, StringComparison.Ordinal);
    }

    /// <summary>One service for the read-only page tests: three jobs, a hostile label value, a drop rule and a secret.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public AllocatorHost Allocator { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Allocator = await AllocatorHost.StartAsync("""
                collectors: {static: [collector-0, collector-1]}
                config:
                  scrape_configs:
                    - job_name: web
                      basic_auth: {username: u, password: hunter2}
                      static_configs:
                        - targets: ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80", "10.0.0.5:80", "10.0.0.6:80", "10.0.0.7:80"]
                        - targets: ["10.0.0.8:80"]
                          labels: {hostile: "<script>alert(1)</script>"}
                    - job_name: serviceMonitor/ns/app/0
                      static_configs:
                        - targets: ["10.1.0.1:9100", "10.1.0.2:9100"]
                    - job_name: dropall
                      relabel_configs:
                        - {source_labels: [__address__], regex: "10\\.8\\..*", action: drop}
                        - {source_labels: [__address__], regex: "10\\.9\\..*", action: drop}
                      static_configs:
                        - targets: ["10.9.0.1:80", "10.9.0.2:80"]
                """);
            await AllocatorHost.WaitUntilAsync(
                async () => (await Allocator.GetStringAsync("/jobs")).Split("_link").Length - 1 == 2,
                TimeSpan.FromSeconds(10),
                "two jobs with targets");
        }

        public async ValueTask DisposeAsync() => await Allocator.DisposeAsync();
    }
}
