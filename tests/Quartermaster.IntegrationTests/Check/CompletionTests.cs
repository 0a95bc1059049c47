using System.Diagnostics;

namespace Quartermaster.IntegrationTests.Check;

/// <summary>Shell completion and help, run as the shell runs them: the qmctl process.</summary>
public sealed class CompletionTests
{
    private static async Task<(int Exit, string Output)> RunProcessAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "qmctl.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var error = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task SuggestDirective_CompletesSubcommandsAndOptions()
    {
        var (exit, checks) = await RunProcessAsync("[suggest:13]", "qmctl check c");
        var (_, options) = await RunProcessAsync("[suggest:9]", "qmctl --s");

        Assert.Equal(0, exit);
        var suggestions = checks.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("config", suggestions);
        Assert.Contains("connectivity", suggestions);
        Assert.DoesNotContain("jobs", suggestions);
        Assert.Equal(["--server", "--service"], options.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("check")]
    [InlineData("check", "config")]
    [InlineData("check", "receiver")]
    [InlineData("check", "connectivity")]
    [InlineData("jobs")]
    public async Task Help_IsAvailableOnEveryCheckCommand(params string[] command)
    {
        var (exit, output) = await RunProcessAsync([.. command, "--help"]);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("qmctl " + string.Join(' ', command), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConnectivity_BadTimeout_IsAParseError()
    {
        var (exit, output) = await RunProcessAsync("check", "connectivity", "127.0.0.1:1", "--timeout", "soon");

        Assert.NotEqual(0, exit);
        Assert.Contains("--timeout: \"soon\" is not a positive duration", output, StringComparison.Ordinal);
    }
}
