using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests.Ui;

/// <summary>
/// The web UI in a real browser: Debian's chromium, headless, driven by Playwright pointed at the system executable
/// so nothing is downloaded. Screenshots of each page go to TestResults/screenshots in the test output directory.
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const int JobCount = 3;
    private const int TargetsPerJob = 1000;

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    private static string Config()
    {
        var yaml = new StringBuilder("collectors: {static: [collector-a, collector-b, collector-c]}\nconfig:\n  scrape_configs:\n");
        for (var j = 0; j < JobCount; j++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - job_name: app-{j}\n      static_configs:\n        - labels: {{team: \"<b>team-{j}</b>\"}}\n          targets: [");
            for (var t = 0; t < TargetsPerJob; t++)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"{(t == 0 ? "" : ", ")}\"10.{j}.{t / 250}.{t % 250}:8080\"");
            }

            yaml.Append("]\n");
        }

        return yaml.ToString();
    }

    [Fact]
    public async Task Browser_LoadsEveryPage_FollowsLinks_AndSearches()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is not installed (test.sh installs the Debian chromium package); the browser test needs it.");
        }

        Directory.CreateDirectory(Screenshots);
        await using var host = await AllocatorHost.StartAsync(Config());
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/jobs")).Split("_link").Length - 1 == JobCount,
            TimeSpan.FromSeconds(20),
            "every job to have targets");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Timeout = 30_000,
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        page.SetDefaultNavigationTimeout(15_000);
        var baseUrl = host.BaseAddress.ToString().TrimEnd('/');

        // Overview → Jobs → one job → next page → one target.
        await page.GotoAsync(baseUrl + "/");
        await Expect(page, "h1", "Quartermaster target allocator");
        Assert.Contains("3,000", await page.Locator("table").First.InnerTextAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "01-overview");

        await page.ClickAsync("nav >> text=Jobs");
        await Expect(page, "h1", "Jobs");
        Assert.Equal(JobCount, await page.Locator("tbody tr").CountAsync());
        await ShotAsync(page, "02-jobs");

        await page.ClickAsync("a:text-is('app-1')");
        await Expect(page, "h1", "Job: app-1");
        Assert.Contains("1–100 of 1,000", await page.Locator(".pager").InnerTextAsync(), StringComparison.Ordinal);
        await page.ClickAsync(".pager >> text=next »");
        Assert.Contains("101–200 of 1,000", await page.Locator(".pager").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("page=2", page.Url, StringComparison.Ordinal);
        await ShotAsync(page, "03-job");

        var firstTarget = page.Locator("a[href^='/ui/target?']").First;
        var address = await firstTarget.InnerTextAsync();
        await firstTarget.ClickAsync();
        await Expect(page, "h1", "Target: " + address);
        var detail = await page.Locator("main").InnerTextAsync();
        Assert.Contains("Labels before relabeling", detail, StringComparison.Ordinal);
        Assert.Contains("<b>team-1</b>", detail, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("main b").CountAsync());
        Assert.Contains("Seen in job app-1, source static", detail, StringComparison.Ordinal);
        Assert.Contains("kept, identity ", detail, StringComparison.Ordinal);
        await ShotAsync(page, "04-target");

        // Search by filling the form and submitting it, as a user without JavaScript would.
        await page.ClickAsync("nav >> text=Targets");
        await Expect(page, "h1", "Targets");
        await page.FillAsync("input[name=q]", "10.2.3.7:8080");
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("q=10.2.3.7", page.Url, StringComparison.Ordinal);
        Assert.Contains("1–1 of 1", await page.Locator(".pager").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("10.2.3.7:8080", await page.Locator("a[href^='/ui/target?']").InnerTextAsync());
        await ShotAsync(page, "05-search");

        await page.ClickAsync("nav >> text=Collectors");
        await Expect(page, "h1", "Collectors");
        Assert.Equal(3, await page.Locator("a[href^='/ui/collectors/']").CountAsync());
        await page.ClickAsync("a:text-is('collector-b')");
        await Expect(page, "h1", "Collector: collector-b");
        await ShotAsync(page, "06-collector");

        foreach (var (path, heading, name) in new[]
        {
            ("/ui/unassigned", "Unassigned targets", "07-unassigned"),
            ("/ui/scrape-configs", "Scrape configs", "08-scrape-configs"),
            ("/debug/jobs", "Jobs", "09-debug-jobs"),
            ("/debug/collector?collector_id=collector-a", "Collector: collector-a", "10-debug-collector"),
        })
        {
            var response = await page.GotoAsync(baseUrl + path);
            Assert.Equal(200, response!.Status);
            await Expect(page, "h1", heading);
            await ShotAsync(page, name);
        }

        var missing = await page.GotoAsync(baseUrl + "/ui/jobs/no-such-job");
        Assert.Equal(404, missing!.Status);
        Assert.Contains("Unknown job: \"no-such-job\"", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "11-not-found");
    }

    private static async Task Expect(IPage page, string selector, string text) =>
        Assert.Equal(text, (await page.Locator(selector).InnerTextAsync()).Trim());

    private static async Task ShotAsync(IPage page, string name)
    {
        var path = Path.Combine(Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
        Assert.True(new FileInfo(path).Length > 0, "empty screenshot " + path);
    }
}
