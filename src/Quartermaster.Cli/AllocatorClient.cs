using System.Text.Json;
using Quartermaster.Core.Serving;

namespace Quartermaster.Cli;

/// <summary>Reads the allocator's HTTP API, directly (<c>--server</c>) or through a base URL such as a service proxy.</summary>
/// <param name="server">The base URL; API paths are appended to it.</param>
/// <param name="http">The HTTP client to use; null for a shared plain one.</param>
/// <param name="description">How messages name the allocator; defaults to <paramref name="server"/>.</param>
internal sealed class AllocatorClient(Uri server, HttpClient? http = null, string? description = null)
{
    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly HttpClient _http = http ?? SharedHttp;

    private string? _failure;

    public Uri Server { get; } = server;

    /// <summary>Names the allocator in messages: its URL, or the service and API server it is reached through.</summary>
    public string Description { get; } = description ?? server.ToString();

    /// <summary>A client that could not be set up: every request fails with <paramref name="error"/>.</summary>
    public static AllocatorClient Failed(string description, string error) =>
        new(new Uri("http://invalid/"), null, description) { _failure = error };

    public async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        if (_failure is not null)
        {
            throw new AllocatorException(_failure);
        }

        var uri = new Uri(Server.AbsoluteUri.TrimEnd('/') + pathAndQuery);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http.GetAsync(uri, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new AllocatorException($"cannot reach the allocator at {Description}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AllocatorException($"the allocator at {Description} did not answer within {_http.Timeout.TotalSeconds:0}s");
        }

        using var _ = response;
        if (!response.IsSuccessStatusCode)
        {
            throw new AllocatorException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}: {ErrorText(body)}", (int)response.StatusCode);
        }

        if (body.Length == 0)
        {
            throw new AllocatorException($"GET {uri} answered an empty body: the allocator has not applied a configuration yet");
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new AllocatorException($"GET {uri} did not answer JSON: {ex.Message}");
        }
    }

    /// <summary>The error body on one line; a Kubernetes API <c>Status</c> (from the service proxy) gives its message.</summary>
    private static string ErrorText(string body)
    {
        var text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("kind", out var kind)
                    && kind.ValueKind == JsonValueKind.String && kind.GetString() == "Status"
                    && doc.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    text = message.GetString() ?? text;
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: shown as sent.
            }
        }

        return text.ReplaceLineEndings(" ");
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> whatever the status; the body as text.</summary>
    public async Task<(int Status, string Body)> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        if (_failure is not null)
        {
            throw new AllocatorException(_failure);
        }

        var uri = new Uri(Server.AbsoluteUri.TrimEnd('/') + pathAndQuery);
        try
        {
            using var response = await _http.GetAsync(uri, cancellationToken);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException ex)
        {
            throw new AllocatorException($"cannot reach the allocator at {Description}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AllocatorException($"the allocator at {Description} did not answer within {_http.Timeout.TotalSeconds:0}s");
        }
    }

    /// <summary>Accepts absolute http and https URLs.</summary>
    public static bool TryParseServer(string? value, out Uri server) =>
        Uri.TryCreate(value, UriKind.Absolute, out server!) && (server.Scheme == Uri.UriSchemeHttp || server.Scheme == Uri.UriSchemeHttps);

    public static string TargetsPath(string job) => "/jobs/" + GoJson.QueryEscape(job) + "/targets";
}

internal sealed class AllocatorException(string message, int status = 0) : Exception(message)
{
    /// <summary>The HTTP status the allocator answered, or 0 when the failure was not an HTTP status.</summary>
    public int Status { get; } = status;
}
