using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Quartermaster.LoadTest;

/// <summary>How long target changes took to be served.</summary>
public sealed record ChurnReport(int Rounds, int TargetsPerRound, LatencyStats WriteFiles, LatencyStats Served, int TimedOut)
{
    public string ToMarkdown() => string.Create(CultureInfo.InvariantCulture,
        $"- churn: {Rounds} rounds of {TargetsPerRound:N0} targets given a new address; writing the files: {WriteFiles}\n- last file written → new address served by /jobs/{{job}}/targets: {Served}; not served within the timeout: {TimedOut}");
}

/// <summary>Changes targets in the files the allocator discovers from, and times how long until the change is served.</summary>
public static class Churn
{
    /// <summary>
    /// Polls <c>/jobs/{job}/targets</c> until <paramref name="address"/> is in it (or, when <paramref name="present"/> is
    /// false, gone); returns the time since <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp), or
    /// <c>null</c> when <paramref name="timeout"/> passed first.
    /// </summary>
    public static async Task<TimeSpan?> WaitServedAsync(HttpClient client, Uri server, string job, string address, bool present, long since, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var uri = new Uri(server, "/jobs/" + Uri.EscapeDataString(job) + "/targets");
        var needle = Encoding.UTF8.GetBytes("\"" + address + "\"");
        while (Stopwatch.GetElapsedTime(since) < timeout)
        {
            try
            {
                var body = await client.GetByteArrayAsync(uri, cancellationToken).ConfigureAwait(false);
                if (body.AsSpan().IndexOf(needle) >= 0 == present)
                {
                    return Stopwatch.GetElapsedTime(since);
                }
            }
            catch (HttpRequestException)
            {
                // An overloaded or restarting server: keep asking until the timeout.
            }

            await Task.Delay(2, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>
    /// Every <paramref name="every"/>, gives <paramref name="percent"/> % of the targets a new address (their old
    /// identity leaves, a new one arrives), rewrites their jobs' files, and times until the last job written serves
    /// its new address. Runs until <paramref name="stop"/>.
    /// </summary>
    public static async Task<ChurnReport> RunAsync(TargetWorkspace workspace, Uri server, double percent, TimeSpan every, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!Loopback.IsLoopback(server))
        {
            throw new ArgumentException($"refusing a non-loopback server: {server}", nameof(server));
        }

        using var client = PollLoad.CreateClient(2, TimeSpan.FromSeconds(10));
        var random = new Random(9);
        var count = Math.Max(1, (int)(workspace.Jobs * workspace.TargetsPerJob * percent / 100));
        var writes = new List<double>();
        var served = new List<double>();
        var timedOut = 0;
        var rounds = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var round = Stopwatch.GetTimestamp();
                var changed = workspace.Churn(count, random);
                var written = Stopwatch.GetTimestamp();
                writes.Add(Stopwatch.GetElapsedTime(round, written).TotalMilliseconds);
                rounds++;
                var (job, address) = changed[^1];
                var elapsed = await WaitServedAsync(client, server, TargetWorkspace.JobName(job), address, present: true, written, TimeSpan.FromSeconds(30), stop).ConfigureAwait(false);
                if (elapsed is { } e)
                {
                    served.Add(e.TotalMilliseconds);
                }
                else
                {
                    timedOut++;
                }

                var rest = every - Stopwatch.GetElapsedTime(round);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        return new ChurnReport(rounds, count, LatencyStats.From([.. writes]), LatencyStats.From([.. served]), timedOut);
    }
}
