using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Discovery;

/// <summary>
/// An <c>http_sd_configs</c> entry: polls a URL for a JSON list of target groups immediately and then every
/// <c>refresh_interval</c>, as Prometheus' <c>discovery/http</c> does.
/// </summary>
/// <remarks>
/// A failed refresh publishes nothing, so the last targets stay in force, and is reported to the
/// <see cref="SourceStatus"/>. Only groups that changed are published, plus an empty group for each vanished source.
/// <see cref="RunAsync"/> returns normally when its token is cancelled.
/// </remarks>
public sealed partial class HttpSdProvider : IDiscoveryProvider, IDisposable
{
    public const string UrlLabel = "__meta_url";

    private readonly HttpSdConfig _config;
    private readonly SourceStatus _status;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly string _refreshSeconds;
    private readonly GroupTracker _tracker = new();

    /// <summary>Creates a provider whose HTTP client is built from <c>config.HttpClient</c>.</summary>
    public HttpSdProvider(HttpSdConfig config, SourceStatus status, TimeProvider timeProvider, ILogger? logger = null)
        : this(config, status, timeProvider, logger, HttpClientConfigHandler.CreateHandler(Validated(config).HttpClient), disposeHandler: true)
    {
    }

    /// <summary>Creates a provider that sends through <paramref name="handler"/> instead (TLS, proxy and redirect settings are the handler's).</summary>
    public HttpSdProvider(
        HttpSdConfig config, SourceStatus status, TimeProvider timeProvider, ILogger? logger, HttpMessageHandler handler, bool disposeHandler)
    {
        Validated(config);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(handler);
        _config = config;
        _status = status;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _timeout = config.RefreshInterval.ToTimeSpan();
        _refreshSeconds = FormatSeconds(config.RefreshInterval);

        // The deadline is enforced per request below so that it also covers reading the body, as Go's
        // http.Client.Timeout does.
        _client = new HttpClient(handler, disposeHandler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The <c>User-Agent</c> sent with every request: <c>Quartermaster/&lt;version&gt;</c>.</summary>
    public static string UserAgent { get; } = "Quartermaster/" + ProductVersion();

    public string Mechanism => "http_sd";

    /// <summary>Returns every problem with <paramref name="config"/>, in Prometheus' wording; empty if valid.</summary>
    public static IReadOnlyList<string> Validate(HttpSdConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        if (string.IsNullOrEmpty(config.Url))
        {
            errors.Add("URL is missing");
        }
        else if (!Uri.TryCreate(config.Url, UriKind.Absolute, out var uri))
        {
            errors.Add($"parse \"{config.Url}\": invalid URL");
        }
        else if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add("URL scheme must be 'http' or 'https'");
        }
        else if (string.IsNullOrEmpty(uri.Host))
        {
            errors.Add("host is missing in URL");
        }

        if (config.RefreshInterval.Milliseconds <= 0)
        {
            errors.Add("refresh_interval must be positive");
        }

        return errors;
    }

    public async Task RunAsync(Action<IReadOnlyList<TargetGroup>> publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        try
        {
            // The ticker starts with the first refresh, so the schedule does not drift by the first request's latency.
            using var timer = new PeriodicTimer(_timeout, _timeProvider);
            await RefreshAsync(publish, cancellationToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await RefreshAsync(publish, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Performs one refresh: fetches, then publishes the changes or reports the failure.</summary>
    internal async Task RefreshAsync(Action<IReadOnlyList<TargetGroup>> publish, CancellationToken cancellationToken)
    {
        var (groups, error) = await FetchAsync(cancellationToken).ConfigureAwait(false);
        if (groups is null)
        {
            Log.RefreshFailed(_logger, _config.Url, error);
            _status.ReportFailure(error!);
            return;
        }

        _status.ReportSuccess();
        var changes = _tracker.Update(groups);
        if (changes is not null)
        {
            publish(changes);
        }
    }

    private async Task<(List<TargetGroup>? Groups, string? Error)> FetchAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        var readingBody = false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _config.Url);
            if (_config.HttpClient.EnableHttp2)
            {
                request.Version = System.Net.HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
            }

            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            request.Headers.TryAddWithoutValidation("X-Prometheus-Refresh-Interval-Seconds", _refreshSeconds);
            HttpClientConfigHandler.ApplyAuthentication(request, _config.HttpClient);

            using var response = await _client
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                return (null, "server returned HTTP status " + StatusText(response));
            }

            var contentType = "";
            if (response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values))
            {
                foreach (var value in values)
                {
                    contentType = value;
                    break;
                }
            }

            if (!ContentTypePattern().IsMatch(contentType.Trim()))
            {
                return (null, "unsupported content type " + Quote(contentType));
            }

            readingBody = true;
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            return TargetGroupParser.TryParseJson(body, _config.Url, new Label(UrlLabel, _config.Url), out var groups, out var error)
                ? (groups, null)
                : (null, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var phase = readingBody
                ? "(Client.Timeout or context cancellation while reading body)"
                : "(Client.Timeout exceeded while awaiting headers)";
            return (null, $"Get {Quote(_config.Url)}: context deadline exceeded {phase}");
        }
        catch (HttpRequestException ex)
        {
            return (null, $"Get {Quote(_config.Url)}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return (null, $"Get {Quote(_config.Url)}: {ex.Message}");
        }
    }

    private static string StatusText(HttpResponseMessage response)
    {
        var code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        return string.IsNullOrEmpty(response.ReasonPhrase) ? code : code + " " + response.ReasonPhrase;
    }

    /// <summary>Go's <c>strconv.FormatFloat(seconds, 'f', -1, 64)</c> for a millisecond-precision duration.</summary>
    internal static string FormatSeconds(PromDuration duration)
    {
        var ms = duration.Milliseconds;
        var whole = (ms / 1000).ToString(CultureInfo.InvariantCulture);
        var fraction = ms % 1000;
        return fraction == 0
            ? whole
            : whole + "." + fraction.ToString("D3", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    private static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    private static HttpSdConfig Validated(HttpSdConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = Validate(config);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(config));
        }

        return config;
    }

    private static string ProductVersion()
    {
        var assembly = typeof(HttpSdProvider).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus >= 0 ? informational[..plus] : informational;
        }

        return assembly.GetName().Version?.ToString() ?? "0.0.0";
    }

    // Go RE2's \s is [\t\n\f\r ]; spelled out so .NET's Unicode \s does not widen it.
    [GeneratedRegex("^(?i:application/json(;[\\t\\n\\f\\r ]*charset=(\"utf-8\"|utf-8))?)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ContentTypePattern();
}
