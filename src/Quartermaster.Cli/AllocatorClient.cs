using System.Text.Json;
using Quartermaster.Core.Serving;

namespace Quartermaster.Cli;

/// <summary>Reads the allocator's HTTP API.</summary>
internal sealed class AllocatorClient(Uri server)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri Server { get; } = server;

    public async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var uri = new Uri(Server, pathAndQuery);
        using var response = await Http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new AllocatorException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}");
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

    /// <summary>GETs <paramref name="pathAndQuery"/> whatever the status; the body as text.</summary>
    public async Task<(int Status, string Body)> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var uri = new Uri(Server, pathAndQuery);
        using var response = await Http.GetAsync(uri, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Accepts absolute http and https URLs.</summary>
    public static bool TryParseServer(string? value, out Uri server) =>
        Uri.TryCreate(value, UriKind.Absolute, out server!) && (server.Scheme == Uri.UriSchemeHttp || server.Scheme == Uri.UriSchemeHttps);

    public static string TargetsPath(string job) => "/jobs/" + GoJson.QueryEscape(job) + "/targets";
}

internal sealed class AllocatorException(string message) : Exception(message);
