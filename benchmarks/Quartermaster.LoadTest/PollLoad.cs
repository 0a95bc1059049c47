using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Quartermaster.LoadTest;

/// <summary>What the poll load plays.</summary>
public sealed class PollLoadOptions
{
    /// <summary>The allocator; must be loopback.</summary>
    public required Uri Server { get; init; }

    /// <summary>Collectors played, named <c>collector-0</c>… as the generated configs name them.</summary>
    public int Collectors { get; init; } = 10;

    /// <summary>Each collector fetches <c>/scrape_configs</c>, <c>/jobs</c> and every job's targets once per interval. Zero: back to back (a flood).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>No more requests than this, whatever the duration.</summary>
    public long MaxRequests { get; init; } = 10_000_000;

    /// <summary>Requests in flight at most (and connections per server).</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Decompress every body and check that a path always gets the same bytes (only meaningful without churn).</summary>
    public bool VerifyBodies { get; init; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>What the poll load saw.</summary>
public sealed record PollLoadReport(
    int Collectors,
    int Jobs,
    long Requests,
    double Seconds,
    double ScheduledPerSecond,
    LatencyStats Latency,
    LatencyStats ScheduleLag,
    IReadOnlyDictionary<int, long> StatusCodes,
    long Failures,
    IReadOnlyList<string> FailureSamples,
    long WireBytes,
    long GzipResponses,
    long BodyMismatches,
    IReadOnlyDictionary<string, string> BodyHashes)
{
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>Failed requests plus answers other than 200.</summary>
    public long Errors => Failures + StatusCodes.Where(s => s.Key != 200).Sum(s => s.Value);

    public string ToMarkdown()
    {
        var ic = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(ic, $"- collectors: {Collectors}, jobs: {Jobs}, requests: {Requests:N0} in {Seconds:F1} s = **{RequestsPerSecond:N0} req/s** (scheduled {(ScheduledPerSecond > 0 ? ScheduledPerSecond.ToString("N0", ic) + " req/s" : "back to back")})"),
            $"- latency: {Latency}",
            $"- behind schedule when sent: {ScheduleLag}",
            "- status codes: " + (StatusCodes.Count == 0 ? "none" : string.Join(", ", StatusCodes.OrderBy(s => s.Key).Select(s => string.Create(ic, $"{s.Key}: {s.Value:N0}")))),
            string.Create(ic, $"- errors: {Errors:N0} (transport failures {Failures:N0}){(FailureSamples.Count > 0 ? "; e.g. " + FailureSamples[0] : "")}"),
            string.Create(ic, $"- bytes on the wire: {WireBytes / 1048576.0:F1} MiB ({(Requests > 0 ? WireBytes / (double)Requests : 0):F0} B/request), gzip responses: {GzipResponses:N0}"),
        };
        if (BodyHashes.Count > 0)
        {
            lines.Add(string.Create(ic, $"- distinct paths: {BodyHashes.Count:N0}, bodies that differed from the first answer for their path: {BodyMismatches:N0}"));
        }

        return string.Join('\n', lines);
    }
}

/// <summary>
/// Plays collectors polling the allocator as the Prometheus receiver does (spec upstream-ta.md §2.12): every interval
/// each collector fetches <c>/scrape_configs</c>, then <c>/jobs</c>, then each job's
/// <c>/jobs/{job}/targets?collector_id=</c>, accepting gzip. The requests of a round are spread evenly over the
/// interval (each job's http_sd refresher runs on its own timer) and sent by a bounded set of workers; a worker
/// that falls behind sends at once and the lag is reported, so a load that is not held shows.
/// </summary>
public static class PollLoad
{
    public static HttpClient CreateClient(int connections, TimeSpan timeout) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Math.Max(1, connections),
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        AllowAutoRedirect = false,
    })
    {
        Timeout = timeout,
    };

    /// <summary>The jobs the allocator lists now.</summary>
    public static async Task<IReadOnlyList<string>> ListJobsAsync(HttpClient client, Uri server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var body = await client.GetByteArrayAsync(new Uri(server, "/jobs"), cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.EnumerateObject().Select(p => p.Name)];
    }

    /// <summary>The request path of one job's targets for one collector, escaped as the receiver escapes it.</summary>
    public static string TargetsPath(string job, string collector) =>
        "/jobs/" + Uri.EscapeDataString(job) + "/targets?collector_id=" + Uri.EscapeDataString(collector);

    public static async Task<PollLoadReport> RunAsync(PollLoadOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Loopback.IsLoopback(options.Server))
        {
            throw new ArgumentException($"refusing a non-loopback server: {options.Server}", nameof(options));
        }

        using var client = CreateClient(options.Concurrency, options.RequestTimeout);
        var jobs = await ListJobsAsync(client, options.Server, cancellationToken).ConfigureAwait(false);
        var perCollector = jobs.Count + 2;
        var perRound = (long)options.Collectors * perCollector;
        var paths = new string[perRound];
        for (var k = 0; k < perCollector; k++)
        {
            for (var c = 0; c < options.Collectors; c++)
            {
                // Collectors interleave, so each one's requests spread over the whole interval.
                paths[(k * options.Collectors) + c] = k switch
                {
                    0 => "/scrape_configs",
                    1 => "/jobs",
                    _ => TargetsPath(jobs[k - 2], TargetWorkspace.CollectorName(c)),
                };
            }
        }

        var uris = paths.Select(p => new Uri(options.Server, p)).ToArray();
        var state = new RunState(options, uris, paths);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(options.Duration);
        var workers = Enumerable.Range(0, Math.Max(1, options.Concurrency))
            .Select(_ => Task.Run(() => WorkAsync(client, state, clock, stop.Token), CancellationToken.None))
            .ToArray();
        var results = await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;

        var statuses = new Dictionary<int, long>();
        foreach (var w in results)
        {
            foreach (var (code, count) in w.Statuses)
            {
                statuses[code] = statuses.GetValueOrDefault(code) + count;
            }
        }

        return new PollLoadReport(
            options.Collectors,
            jobs.Count,
            results.Sum(r => r.Latencies.Count),
            seconds,
            options.Interval > TimeSpan.Zero ? perRound / options.Interval.TotalSeconds : 0,
            LatencyStats.From([.. results.SelectMany(r => r.Latencies)]),
            LatencyStats.From([.. results.SelectMany(r => r.Lags)]),
            statuses,
            results.Sum(r => r.Failures),
            [.. state.FailureSamples.Take(5)],
            results.Sum(r => r.WireBytes),
            results.Sum(r => r.Gzip),
            Interlocked.Read(ref state.Mismatches),
            state.Hashes.ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal));
    }

    private static async Task<WorkerResult> WorkAsync(HttpClient client, RunState state, Stopwatch clock, CancellationToken stop)
    {
        var result = new WorkerResult();
        var options = state.Options;
        var perRound = state.Uris.Length;
        var intervalTicks = options.Interval.TotalMilliseconds;
        while (!stop.IsCancellationRequested)
        {
            var i = Interlocked.Increment(ref state.Next) - 1;
            if (i >= options.MaxRequests)
            {
                break;
            }

            var slot = (int)(i % perRound);
            if (intervalTicks > 0)
            {
                var dueMs = ((i / perRound) * intervalTicks) + (slot * intervalTicks / perRound);
                var waitMs = dueMs - clock.Elapsed.TotalMilliseconds;
                if (waitMs > 0)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(waitMs), stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                result.Lags.Add(Math.Max(0, clock.Elapsed.TotalMilliseconds - dueMs));
            }

            await SendAsync(client, state, slot, result).ConfigureAwait(false);
        }

        return result;
    }

    private static async Task SendAsync(HttpClient client, RunState state, int slot, WorkerResult result)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, state.Uris[slot]);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        var start = Stopwatch.GetTimestamp();
        try
        {
            // The request runs to its end even when the run stops meanwhile: a cut-off request is not a failure.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, CancellationToken.None).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None).ConfigureAwait(false);
            result.Latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var code = (int)response.StatusCode;
            result.Statuses[code] = result.Statuses.GetValueOrDefault(code) + 1;
            result.WireBytes += body.Length;
            var gzip = response.Content.Headers.ContentEncoding.Contains("gzip");
            if (gzip)
            {
                result.Gzip++;
            }

            if (state.Options.VerifyBodies && code == 200)
            {
                var decoded = gzip ? Gunzip(body) : body;
                var hash = Hash(decoded);
                var first = state.Hashes.GetOrAdd(state.Paths[slot], hash);
                if (!string.Equals(first, hash, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref state.Mismatches);
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or InvalidDataException)
        {
            result.Latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            result.Failures++;
            if (state.FailureSamples.Count < 5)
            {
                state.FailureSamples.Enqueue($"{state.Paths[slot]}: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    public static string Hash(byte[] body) => Convert.ToHexString(SHA256.HashData(body));

    public static byte[] Gunzip(byte[] body)
    {
        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>One request a test can compare with: the plain (uncompressed) body of <paramref name="path"/>.</summary>
    public static async Task<byte[]> GetPlainAsync(HttpClient client, Uri server, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(new Uri(server, path), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentEncoding.Contains("gzip") ? Gunzip(body) : body;
    }

    public static string Describe(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));

    private sealed class RunState(PollLoadOptions options, Uri[] uris, string[] paths)
    {
        public long Next;
        public long Mismatches;

        public PollLoadOptions Options { get; } = options;

        public Uri[] Uris { get; } = uris;

        public string[] Paths { get; } = paths;

        public ConcurrentDictionary<string, string> Hashes { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> FailureSamples { get; } = new();
    }

    private sealed class WorkerResult
    {
        public List<double> Latencies { get; } = [];

        public List<double> Lags { get; } = [];

        public Dictionary<int, long> Statuses { get; } = [];

        public long Failures { get; set; }

        public long WireBytes { get; set; }

        public long Gzip { get; set; }
    }
}
