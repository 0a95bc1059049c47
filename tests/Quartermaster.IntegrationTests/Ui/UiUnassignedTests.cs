using System.Net;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests.Ui;

public sealed class UiUnassignedTests
{
    [Fact]
    public async Task NoCollectors_PagesShowTheTargetsAsUnassignedWithTheReason()
    {
        await using var host = await AllocatorHost.StartAsync("""
            collectors: {static: []}
            config:
              scrape_configs:
                - job_name: web
                  static_configs:
                    - targets: ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]
            """);
        await AllocatorHost.WaitUntilAsync(
            async () => (await host.GetStringAsync("/ui/unassigned")).Contains("1–3 of 3", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "three unassigned targets");

        var unassigned = await host.GetStringAsync("/ui/unassigned");
        var overview = await host.GetStringAsync("/");
        using var job = await host.Client.GetAsync("/ui/jobs/web", TestContext.Current.CancellationToken);
        var jobBody = await job.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("<td>no collectors are registered</td><td class=\"num\">3</td>", unassigned, StringComparison.Ordinal);
        Assert.Contains("unassigned: no collectors are registered", unassigned, StringComparison.Ordinal);
        Assert.Contains("No collectors are registered: every target is kept but served to nobody.", overview, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, job.StatusCode);
        Assert.Contains("No collectors: this job&#39;s targets are served to nobody.", jobBody, StringComparison.Ordinal);
        Assert.Contains(">10.0.0.2:80</a>", jobBody, StringComparison.Ordinal);
    }
}
