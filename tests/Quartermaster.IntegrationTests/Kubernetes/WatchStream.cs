using System.Text.Json.Nodes;

namespace Quartermaster.IntegrationTests.Kubernetes;

/// <summary>An open watch response, read one JSON event line at a time with bounded waits.</summary>
internal sealed class WatchStream : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private WatchStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<WatchStream> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return new WatchStream(response, new StreamReader(stream));
    }

    public async Task<List<JsonNode>> ReadEventsAsync(int count)
    {
        var events = new List<JsonNode>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Timeout);
        while (events.Count < count)
        {
            var line = await _reader.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException($"the watch ended after {events.Count} events");
            events.Add(JsonNode.Parse(line)!);
        }

        return events;
    }

    /// <summary>Reads until the server ends the stream; fails if it does not within the timeout.</summary>
    public async Task<List<JsonNode>> ReadToEndAsync()
    {
        var events = new List<JsonNode>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Timeout);
        while (await _reader.ReadLineAsync(deadline.Token) is { } line)
        {
            events.Add(JsonNode.Parse(line)!);
        }

        return events;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
