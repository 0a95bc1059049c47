using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Quartermaster.Cli.Check;

/// <summary>
/// <c>qmctl check connectivity</c>: what a collector goes through to reach its allocator, step by step: DNS, TCP,
/// then HTTP <c>/livez</c>, <c>/readyz</c> and <c>/scrape_configs</c> (parsed, jobs counted).
/// </summary>
internal sealed class ConnectivityCheck(TimeSpan timeout, TimeProvider time, TextWriter stdout, TextWriter stderr)
{
    /// <summary>Parses <c>http://host:port</c>, <c>https://host:port</c>, <c>host:port</c> or <c>host</c> (http assumed).</summary>
    public static bool TryParseEndpoint(string? value, out Uri endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        return Uri.TryCreate(text, UriKind.Absolute, out endpoint!)
            && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)
            && endpoint.Host.Length > 0;
    }

    /// <summary>Runs every step and prints a verdict; returns 0 when the allocator serves scrape configs, else 1.</summary>
    public async Task<int> RunAsync(string endpointText, CancellationToken cancellationToken)
    {
        if (!TryParseEndpoint(endpointText, out var endpoint))
        {
            await stderr.WriteLineAsync($"qmctl: \"{endpointText}\" is not an endpoint such as http://host:port or host:port");
            return 1;
        }

        await stdout.WriteLineAsync($"Checking {endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/')} (timeout {Seconds(timeout)})");
        var addresses = await ResolveAsync(endpoint, cancellationToken);
        if (addresses is null)
        {
            return await FailAsync(endpoint, $"cannot resolve {endpoint.Host}");
        }

        if (!await ConnectAsync(endpoint, addresses, cancellationToken))
        {
            return await FailAsync(endpoint, $"nothing accepts TCP connections on {endpoint.Host}:{endpoint.Port}");
        }

        using var handler = new SocketsHttpHandler { ConnectTimeout = timeout, AutomaticDecompression = DecompressionMethods.All };
        using var http = new HttpClient(handler) { Timeout = timeout };
        var live = await GetAsync(http, endpoint, "/livez", cancellationToken);
        var ready = await GetAsync(http, endpoint, "/readyz", cancellationToken);
        var configs = await GetAsync(http, endpoint, "/scrape_configs", cancellationToken);
        await Row("GET /livez", live.Status == 200 ? "OK" : "WARN", live.Detail);
        await Row("GET /readyz", ready.Status == 200 ? "OK" : "WARN", ready.Detail + (ready.Status == 503 ? " (not ready)" : ""));
        var jobs = CountJobs(configs, out var problem);
        await Row("GET /scrape_configs", jobs is null ? "FAIL" : "OK", configs.Detail + (jobs is null ? $": {problem}" : $", {jobs} job(s)"));
        if (jobs is not null && configs.Body.Contains("secret", StringComparison.Ordinal)
            && (configs.Body.Contains("<secret>", StringComparison.Ordinal) || configs.Body.Contains("\\u003csecret\\u003e", StringComparison.Ordinal)))
        {
            await Row("", "WARN", "some credentials are sent as <secret>: collectors get them only over https (or with allow_insecure_auth_secrets)");
        }

        if (jobs is null)
        {
            return await FailAsync(endpoint, $"/scrape_configs {problem}");
        }

        var notes = new List<string>();
        if (live.Status != 200)
        {
            notes.Add("/livez " + (live.Status == 0 ? "failed" : $"answered {live.Status}"));
        }

        if (ready.Status != 200)
        {
            notes.Add("/readyz " + (ready.Status == 0 ? "failed" : $"answered {ready.Status}"));
        }

        await stdout.WriteLineAsync(
            $"Verdict: OK, {endpoint.Authority} serves scrape configs for {jobs} job(s)" + (notes.Count > 0 ? $" (but {string.Join(", ", notes)})" : ""));
        return 0;
    }

    private async Task<IPAddress[]?> ResolveAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var host = endpoint.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            await Row("DNS", "OK", $"{literal} is an IP address, no lookup needed");
            return [literal];
        }

        var start = time.GetTimestamp();
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            var addresses = await Dns.GetHostAddressesAsync(host, cts.Token);
            if (addresses.Length == 0)
            {
                await Row("DNS", "FAIL", $"{host} resolved to no address in {Elapsed(start)}");
                return null;
            }

            await Row("DNS", "OK", $"{host} -> {string.Join(", ", addresses.Select(a => a.ToString()))} in {Elapsed(start)}");
            return addresses;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is OperationCanceledException ? $"no answer within {Seconds(timeout)}" : ex.Message;
            await Row("DNS", "FAIL", $"{host}: {reason} after {Elapsed(start)}");
            return null;
        }
    }

    private async Task<bool> ConnectAsync(Uri endpoint, IPAddress[] addresses, CancellationToken cancellationToken)
    {
        foreach (var address in addresses)
        {
            var target = new IPEndPoint(address, endpoint.Port);
            var start = time.GetTimestamp();
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(target, cts.Token);
                await Row("TCP", "OK", $"{target} connected in {Elapsed(start)}");
                return true;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var reason = ex is SocketException se ? $"{se.SocketErrorCode}: {se.Message}" : $"no answer within {Seconds(timeout)}";
                await Row("TCP", "FAIL", $"{target}: {reason} after {Elapsed(start)}");
            }
        }

        return false;
    }

    private async Task<HttpProbe> GetAsync(HttpClient http, Uri endpoint, string path, CancellationToken cancellationToken)
    {
        var uri = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + path);
        var start = time.GetTimestamp();
        try
        {
            using var response = await http.GetAsync(uri, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var bytes = response.Content.Headers.ContentLength ?? System.Text.Encoding.UTF8.GetByteCount(body);
            return new((int)response.StatusCode, body, $"{(int)response.StatusCode} {response.ReasonPhrase} in {Elapsed(start)}, {bytes} bytes");
        }
        catch (HttpRequestException ex)
        {
            return new(0, "", $"failed after {Elapsed(start)}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(0, "", $"no answer within {Seconds(timeout)}");
        }
    }

    private static int? CountJobs(HttpProbe probe, out string problem)
    {
        problem = "";
        if (probe.Status != 200)
        {
            problem = probe.Status == 0 ? "could not be fetched" : $"answered {probe.Status}, not 200";
            return null;
        }

        if (probe.Body.Length == 0)
        {
            problem = "answered an empty body: the allocator has not applied a configuration yet";
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(probe.Body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"is JSON but a {doc.RootElement.ValueKind}, not an object of jobs";
                return null;
            }

            return doc.RootElement.EnumerateObject().Count();
        }
        catch (JsonException ex)
        {
            problem = $"is not JSON: {ex.Message}";
            return null;
        }
    }

    private async Task<int> FailAsync(Uri endpoint, string reason)
    {
        await stdout.WriteLineAsync($"Verdict: FAIL, {reason}");
        await stderr.WriteLineAsync($"qmctl: {endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/')} is not reachable as an allocator: {reason}");
        return 1;
    }

    private Task Row(string step, string result, string detail) => stdout.WriteLineAsync($"  {step,-20} {result,-5} {detail}".TrimEnd());

    private string Elapsed(long start) =>
        time.GetElapsedTime(start).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private sealed record HttpProbe(int Status, string Body, string Detail);
}
