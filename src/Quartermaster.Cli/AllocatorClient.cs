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
            throw new AllocatorException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}", (int)response.StatusCode);
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
