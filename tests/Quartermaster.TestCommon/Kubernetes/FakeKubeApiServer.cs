using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>
/// An in-process Kubernetes API server for tests, on a free loopback port: discovery, list (with selectors and
/// pagination), get and watch (chunked JSON events, resourceVersion resumption, bookmarks, 410 Expired) for the
/// kinds the allocator reads, plus fault injection and a request log. Real enough for <c>kubectl</c>.
/// </summary>
public sealed partial class FakeKubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeKubeApiServerOptions _options;
    private readonly KubeObjectStore _store;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<KubeRequest> _requests = new();
    private readonly Lock _faultGate = new();
    private readonly List<FaultRule> _faults = [];
    private readonly HashSet<(string Verb, string Group, string Resource, string? Namespace)> _denied = [];
    private int _disposed;

    private FakeKubeApiServer(WebApplication app, FakeKubeApiServerOptions options)
    {
        _app = app;
        _options = options;
        _store = new KubeObjectStore(options.TimeProvider, options.HistoryCapacity);
    }

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The last resourceVersion issued.</summary>
    public long ResourceVersion => _store.ResourceVersion;

    /// <summary>How many watch streams are open.</summary>
    public int OpenWatchCount => _store.WatchCount;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<KubeRequest> Requests => [.. _requests];

    public static async Task<FakeKubeApiServer> StartAsync(FakeKubeApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeKubeApiServerOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        var server = new FakeKubeApiServer(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    /// <summary>Creates or replaces an object (by kind, namespace and name) and emits ADDED or MODIFIED; returns the stored object.</summary>
    public JsonObject Upsert(JsonObject obj) => _store.Upsert(obj);

    /// <summary>Parses and upserts an object written as JSON.</summary>
    public JsonObject Upsert(string json) => _store.Upsert(JsonNode.Parse(json)!.AsObject());

    /// <summary>Deletes an object and emits DELETED. <paramref name="kind"/> is a kind, plural or short name.</summary>
    public bool Delete(string kind, string? ns, string name) =>
        _store.Delete(KubeResourceCatalog.FindByName(kind) ?? throw new ArgumentException($"unknown kind {kind}", nameof(kind)), ns, name);

    /// <summary>The stored object, or null.</summary>
    public JsonObject? Get(string kind, string? ns, string name) =>
        _store.Get(KubeResourceCatalog.FindByName(kind) ?? throw new ArgumentException($"unknown kind {kind}", nameof(kind)), ns, name);

    /// <summary>Sends a BOOKMARK at the current resourceVersion on every watch that allowed bookmarks.</summary>
    public void SendBookmarks() => _store.SendBookmarks();

    /// <summary>Ends every open watch stream cleanly (a clean end of the chunked body); returns how many were open.</summary>
    public int DropWatches() => _store.CloseWatches();

    /// <summary>Sends every open watch an ERROR event with a 410 Expired Status, then ends it; returns how many were open.</summary>
    public int ExpireWatches() => _store.ExpireWatches();

    /// <summary>Makes watches and continued lists from a resourceVersion below <paramref name="resourceVersion"/> answer 410 Expired.</summary>
    public void ExpireBefore(long resourceVersion) => _store.ExpireBefore(resourceVersion);

    /// <summary>Answers the next <paramref name="count"/> requests whose path starts with <paramref name="pathPrefix"/> with <paramref name="status"/>.</summary>
    public void FailNext(string pathPrefix, int status, int count = 1) =>
        FailNext(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal), status, count);

    /// <summary>Answers the next <paramref name="count"/> matching requests with <paramref name="status"/> and a Status body.</summary>
    public void FailNext(Func<KubeRequest, bool> match, int status, int count = 1)
    {
        lock (_faultGate)
        {
            _faults.Add(new FaultRule(match, status, TimeSpan.Zero, count));
        }
    }

    /// <summary>Delays the next <paramref name="count"/> requests whose path starts with <paramref name="pathPrefix"/> by <paramref name="delay"/> before answering.</summary>
    public void Stall(string pathPrefix, TimeSpan delay, int count = int.MaxValue) =>
        Stall(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal), delay, count);

    public void Stall(Func<KubeRequest, bool> match, TimeSpan delay, int count = int.MaxValue)
    {
        lock (_faultGate)
        {
            _faults.Add(new FaultRule(match, 0, delay, count));
        }
    }

    /// <summary>Removes every pending failure and stall.</summary>
    public void ClearFaults()
    {
        lock (_faultGate)
        {
            _faults.Clear();
        }
    }

    /// <summary>
    /// Denies <paramref name="verb"/> on a resource (in one namespace, or everywhere when null): requests answer 403
    /// and SelfSubjectAccessReviews answer not allowed.
    /// </summary>
    public void DenyAccess(string verb, string resource, string group = "", string? ns = null)
    {
        lock (_faultGate)
        {
            _denied.Add((verb, group, resource, ns));
        }
    }

    /// <summary>Waits until a request satisfying <paramref name="match"/> has arrived.</summary>
    public async Task<KubeRequest> WaitForRequestAsync(Func<KubeRequest, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var found = _requests.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no matching request within {timeout}; received: {string.Join(", ", _requests)}");
            }
        }
    }

    /// <summary>Writes a kubeconfig for this server into <paramref name="directory"/> and returns its path.</summary>
    public string WriteKubeconfig(string directory)
    {
        var user = _options.BearerToken is null ? "  user: {}" : $"  user:\n    token: {_options.BearerToken}";
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {BaseAddress.GetLeftPart(UriPartial.Authority)}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: fake
                namespace: default
            current-context: fake
            users:
            - name: fake
            """ + "\n" + user + "\n";
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"kubeconfig-{BaseAddress.Port}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _store.CloseWatches();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = new KubeRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.Accept.ToString(),
            context.Request.Headers.UserAgent.ToString());
        _requests.Enqueue(request);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var cancellationToken = aborted.Token;
        try
        {
            if (_options.BearerToken is not null && context.Request.Headers.Authorization.ToString() != "Bearer " + _options.BearerToken)
            {
                await WriteStatusAsync(context, KubeStatus.Failure(401, "Unauthorized"), cancellationToken);
                return;
            }

            var (delay, failure) = TakeFaults(request);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _options.TimeProvider, cancellationToken);
            }

            if (failure != 0)
            {
                if (failure == 429)
                {
                    context.Response.Headers.RetryAfter = "1";
                }

                await WriteStatusAsync(context, KubeStatus.Failure(failure, $"injected failure {failure} for {request.Path}"), cancellationToken);
                return;
            }

            await RouteAsync(context, request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server is stopping; the response simply ends.
        }
    }

    private (TimeSpan Delay, int Status) TakeFaults(KubeRequest request)
    {
        var delay = TimeSpan.Zero;
        var status = 0;
        lock (_faultGate)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var rule = _faults[i];
                if ((rule.Status != 0 && status != 0) || (rule.Delay > TimeSpan.Zero && delay > TimeSpan.Zero) || !rule.Match(request))
                {
                    continue;
                }

                if (rule.Status != 0)
                {
                    status = rule.Status;
                }
                else
                {
                    delay = rule.Delay;
                }

                rule.Remaining--;
                if (rule.Remaining <= 0)
                {
                    _faults.RemoveAt(i--);
                }
            }
        }

        return (delay, status);
    }

    private bool IsDenied(string verb, KubeResource resource, string? ns)
    {
        lock (_faultGate)
        {
            return _denied.Any(d => d.Verb == verb && d.Group == resource.Group && d.Resource == resource.Plural
                && (d.Namespace is null || ns is null || d.Namespace == ns));
        }
    }

    private static async Task WriteStatusAsync(HttpContext context, JsonObject status, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = (int)status["code"]!;
        await WriteJsonAsync(context, status.ToJsonString(), cancellationToken);
    }

    private static async Task WriteJsonAsync(HttpContext context, string json, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, cancellationToken);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class FaultRule(Func<KubeRequest, bool> match, int status, TimeSpan delay, int count)
    {
        public Func<KubeRequest, bool> Match { get; } = match;

        public int Status { get; } = status;

        public TimeSpan Delay { get; } = delay;

        public int Remaining { get; set; } = count;
    }
}
