using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Quartermaster.Kubernetes.Watch;

/// <summary>
/// A list-then-watch cache of one <see cref="CacheKey"/>: lists (paged), then watches from the list's resourceVersion
/// with bookmarks, and keeps the objects it knows while it reconnects.
/// </summary>
/// <remarks>
/// A watch that ends cleanly is resumed from the last resourceVersion seen (event or bookmark). A <c>410 Gone</c>
/// relists at once; any other failure relists after a jittered exponential backoff bounded by
/// <see cref="ResourceCacheOptions.MaxBackoff"/>. A relist replaces the contents by difference, raising Added,
/// Modified and Deleted events, so subscribers never see the cache empty while it recovers.
/// </remarks>
public sealed partial class ResourceCache<T> : IResourceCache, IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> _objects = new(StringComparer.Ordinal);
    private readonly Func<ListQuery, CancellationToken, Task<(IList<T> Items, string? ResourceVersion, string? Continue)>> _list;
    private readonly Func<ListQuery, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> _watch;
    private readonly ResourceCacheOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Random _jitter;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Action<CacheEvent<T>>[] _subscribers = [];
    private Task _loop = Task.CompletedTask;
    private string? _lastError;

    internal ResourceCache(
        CacheKey key,
        Func<ListQuery, CancellationToken, Task<(IList<T>, string?, string?)>> list,
        Func<ListQuery, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        ResourceCacheOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        Key = key;
        _list = list;
        _watch = watch;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _jitter = options.JitterSeed is { } seed ? new Random(seed) : new Random();
    }

    public event Action<IResourceCache, string?>? StatusChanged;

    public CacheKey Key { get; }

    public Task Ready => _ready.Task;

    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>The resourceVersion the next watch resumes from.</summary>
    public string? ResourceVersion { get; private set; }

    public int Count => _objects.Count;

    public T? Get(string key) => _objects.GetValueOrDefault(key);

    /// <summary>A point-in-time copy of the cached objects.</summary>
    public IReadOnlyList<T> List() => [.. _objects.Values];

    /// <summary>Calls <paramref name="handler"/> for every later change, on the cache's loop, one at a time.</summary>
    public IDisposable Subscribe(Action<CacheEvent<T>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, handler];
        }

        return new Subscription(this, handler);
    }

    internal void StartLoop() => _loop = Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var needList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await RelistAsync(cancellationToken).ConfigureAwait(false);
                    needList = false;
                    _ready.TrySetResult();
                    SetStatus(null);
                }

                var (gone, events) = await WatchOnceAsync(cancellationToken).ConfigureAwait(false);
                if (gone)
                {
                    LogGone(_logger, Key);
                    needList = true;
                }

                if (events > 0 || gone)
                {
                    failures = 0;
                }
                else
                {
                    // A watch that closes without delivering anything must not turn into a tight reconnect loop.
                    failures++;
                    await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                needList = true;
                var reason = Describe(ex);
                LogFailure(_logger, Key, reason);
                SetStatus(reason);
                await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RelistAsync(CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, T>(StringComparer.Ordinal);
        string? continueToken = null;
        string? resourceVersion = null;
        var pages = 0;
        do
        {
            var query = new ListQuery(Nullable(Key.LabelSelector), Nullable(Key.FieldSelector), null, continueToken, _options.PageSize, false);
            var (items, rv, next) = await _list(query, cancellationToken).ConfigureAwait(false);
            foreach (var item in items)
            {
                fresh[ObjectKeys.Of(item)] = item;
            }

            // Every page carries the snapshot's resourceVersion; the first one is the one to watch from.
            resourceVersion ??= rv;
            continueToken = string.IsNullOrEmpty(next) ? null : next;
            pages++;
        }
        while (continueToken is not null && pages < 100_000);

        foreach (var (key, item) in fresh)
        {
            if (_objects.TryGetValue(key, out var old))
            {
                if (old.Metadata?.ResourceVersion != item.Metadata?.ResourceVersion)
                {
                    _objects[key] = item;
                    Raise(new CacheEvent<T>(CacheEventType.Modified, key, old, item));
                }
            }
            else
            {
                _objects[key] = item;
                Raise(new CacheEvent<T>(CacheEventType.Added, key, null, item));
            }
        }

        foreach (var (key, old) in _objects)
        {
            if (!fresh.ContainsKey(key) && _objects.TryRemove(key, out _))
            {
                Raise(new CacheEvent<T>(CacheEventType.Deleted, key, old, null));
            }
        }

        ResourceVersion = resourceVersion;
    }

    private async Task<(bool Gone, int Events)> WatchOnceAsync(CancellationToken cancellationToken)
    {
        var gone = false;
        Exception? streamError = null;
        var events = 0;
        var query = new ListQuery(Nullable(Key.LabelSelector), Nullable(Key.FieldSelector), ResourceVersion, null, null, true);
        try
        {
            await foreach (var (type, obj) in _watch(query, OnError, cancellationToken).ConfigureAwait(false))
            {
                events++;
                Apply(type, obj);
                if (gone)
                {
                    break;
                }
            }
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
        {
            return (true, events);
        }

        if (gone)
        {
            return (true, events);
        }

        if (streamError is not null)
        {
            throw new InvalidOperationException("watch failed: " + streamError.Message, streamError);
        }

        return (false, events);

        void OnError(Exception ex)
        {
            if (ex is KubernetesException { Status.Code: 410 })
            {
                gone = true;
            }
            else
            {
                streamError ??= ex;
            }
        }
    }

    private void Apply(WatchEventType type, T obj)
    {
        if (obj.Metadata?.ResourceVersion is { Length: > 0 } rv)
        {
            ResourceVersion = rv;
        }

        if (type == WatchEventType.Bookmark || type == WatchEventType.Error)
        {
            return;
        }

        var key = ObjectKeys.Of(obj);
        if (type == WatchEventType.Deleted)
        {
            if (_objects.TryRemove(key, out var old))
            {
                Raise(new CacheEvent<T>(CacheEventType.Deleted, key, old, null));
            }

            return;
        }

        _objects.TryGetValue(key, out var previous);
        _objects[key] = obj;
        Raise(new CacheEvent<T>(previous is null ? CacheEventType.Added : CacheEventType.Modified, key, previous, obj));
    }

    private void Raise(CacheEvent<T> change)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber(change);
            }
            catch (Exception ex)
            {
                LogSubscriberFailed(_logger, Key, ex);
            }
        }
    }

    private async Task DelayAsync(int failures, CancellationToken cancellationToken)
    {
        var exponent = Math.Min(failures - 1, 20);
        var ceiling = Math.Min(_options.InitialBackoff.TotalMilliseconds * Math.Pow(2, exponent), _options.MaxBackoff.TotalMilliseconds);
        double factor;
        lock (_jitter)
        {
            factor = 0.5 + (_jitter.NextDouble() * 0.5);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(ceiling * factor), _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private void SetStatus(string? error)
    {
        var previous = Interlocked.Exchange(ref _lastError, error);
        if (!string.Equals(previous, error, StringComparison.Ordinal))
        {
            StatusChanged?.Invoke(this, error);
        }
    }

    private void Unsubscribe(Action<CacheEvent<T>> handler)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != handler)];
        }
    }

    private string Describe(Exception ex) => ex switch
    {
        HttpOperationException { Response: { } response } => $"{Key.Plural}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}",
        _ => $"{Key.Plural}: {ex.Message}",
    };

    private static string? Nullable(string value) => value.Length == 0 ? null : value;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Kubernetes list/watch of {Key} failed: {Reason}")]
    private static partial void LogFailure(ILogger logger, CacheKey key, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Kubernetes watch of {Key} expired (410 Gone); relisting")]
    private static partial void LogGone(ILogger logger, CacheKey key);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "A subscriber of the Kubernetes cache {Key} failed")]
    private static partial void LogSubscriberFailed(ILogger logger, CacheKey key, Exception exception);

    private sealed class Subscription(ResourceCache<T> cache, Action<CacheEvent<T>> handler) : IDisposable
    {
        public void Dispose() => cache.Unsubscribe(handler);
    }
}
