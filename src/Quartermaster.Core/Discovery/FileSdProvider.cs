using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Discovery;

/// <summary>
/// A <c>file_sd_configs</c> entry: reads JSON and YAML target-group files matched by the configured globs and
/// re-reads them on file-system change notifications and every <c>refresh_interval</c>.
/// </summary>
/// <remarks>
/// As in Prometheus' <c>discovery/file</c>, a file that cannot be read or parsed keeps its previous groups, and the
/// groups of a file that shrank or disappeared are published empty. Only groups that changed are published.
/// <see cref="RunAsync"/> returns normally when its token is cancelled.
/// </remarks>
public sealed partial class FileSdProvider : IDiscoveryProvider, IDisposable
{
    public const string FilepathLabel = "__meta_filepath";

    private static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(100);

    private readonly FileSdConfig _config;
    private readonly SourceStatus _status;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _debounce;
    private readonly Channel<bool> _wakeups = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private readonly GroupTracker _tracker = new();
    private Dictionary<string, List<TargetGroup>> _lastFiles = new(StringComparer.Ordinal);
    private int _fileEventPending;

    public FileSdProvider(FileSdConfig config, SourceStatus status, TimeProvider timeProvider, ILogger? logger = null)
        : this(config, status, timeProvider, logger, DefaultDebounce)
    {
    }

    /// <summary>As the main constructor, with <paramref name="debounce"/>: the wait after a file-system notification.</summary>
    public FileSdProvider(FileSdConfig config, SourceStatus status, TimeProvider timeProvider, ILogger? logger, TimeSpan debounce)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var errors = FileSdPaths.Validate(config);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(config));
        }

        if (config.RefreshInterval.Milliseconds <= 0)
        {
            throw new ArgumentException("refresh_interval must be positive", nameof(config));
        }

        _config = config;
        _status = status;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _debounce = debounce;
    }

    public string Mechanism => "file_sd";

    /// <summary>Whether to watch directories for changes; off, only the refresh timer triggers reads.</summary>
    internal bool WatchFiles { get; init; } = true;

    public async Task RunAsync(Action<IReadOnlyList<TargetGroup>> publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publish);
        var interval = _config.RefreshInterval.ToTimeSpan();
        using var timer = _timeProvider.CreateTimer(
            static state => ((FileSdProvider)state!)._wakeups.Writer.TryWrite(true), this, interval, interval);
        try
        {
            WatchDirectories();
            Refresh(publish);
            while (!cancellationToken.IsCancellationRequested)
            {
                await _wakeups.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _fileEventPending, 0) != 0 && _debounce > TimeSpan.Zero)
                {
                    // Editors and config management write files in several steps; let them finish. Notifications
                    // are real-time events, so this waits in real time whatever the injected clock.
                    await Task.Delay(_debounce, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                    Interlocked.Exchange(ref _fileEventPending, 0);
                }

                while (_wakeups.Reader.TryRead(out _))
                {
                }

                Refresh(publish);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            DisposeWatchers();
        }
    }

    public void Dispose() => DisposeWatchers();

    /// <summary>Reads every matching file once and publishes what changed; one refresh of the run loop.</summary>
    internal void Refresh(Action<IReadOnlyList<TargetGroup>> publish)
    {
        var current = new Dictionary<string, List<TargetGroup>>(StringComparer.Ordinal);
        List<string>? failures = null;
        foreach (var pattern in _config.Files)
        {
            foreach (var path in FileSdPaths.Expand(pattern))
            {
                if (current.ContainsKey(path))
                {
                    continue;
                }

                if (TryReadFile(path, out var groups, out var error))
                {
                    current[path] = groups;
                    continue;
                }

                Log.ReadFailed(_logger, path, error);
                (failures ??= []).Add($"error reading file \"{path}\": {error}");

                // Keep the file's previous groups so a half-written or broken file does not drop its targets.
                current[path] = _lastFiles.TryGetValue(path, out var previous) ? previous : [];
            }
        }

        var changes = _tracker.Update(current.Values.SelectMany(static groups => groups));

        // The fallback for a file that later fails to read holds the tracked instances, not a second copy.
        _lastFiles = current.ToDictionary(f => f.Key, f => f.Value.ConvertAll(_tracker.Tracked), StringComparer.Ordinal);
        if (failures is null)
        {
            _status.ReportSuccess();
        }
        else
        {
            _status.ReportFailure(string.Join("; ", failures));
        }

        WatchDirectories();
        if (changes is not null)
        {
            publish(changes);
        }
    }

    internal static bool TryReadFile(string path, out List<TargetGroup> groups, out string? error)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            groups = [];
            error = ex.Message;
            return false;
        }

        var meta = new Label(FilepathLabel, path);
        var extension = Path.GetExtension(path);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return TargetGroupParser.TryParseJson(content, path, meta, out groups, out error);
        }

        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (System.Text.DecoderFallbackException ex)
        {
            groups = [];
            error = "yaml: invalid UTF-8: " + ex.Message;
            return false;
        }

        return TargetGroupParser.TryParseYaml(text, path, meta, out groups, out error);
    }

    private void WatchDirectories()
    {
        if (!WatchFiles)
        {
            return;
        }

        lock (_watchers)
        {
            WatchDirectoriesLocked();
        }
    }

    private void WatchDirectoriesLocked()
    {
        foreach (var pattern in _config.Files)
        {
            var dir = FileSdPaths.WatchDirectory(pattern);
            if (_watchers.ContainsKey(dir) || !Directory.Exists(dir))
            {
                continue;
            }

            try
            {
                var watcher = new FileSystemWatcher(dir)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size
                        | NotifyFilters.CreationTime | NotifyFilters.DirectoryName,
                    IncludeSubdirectories = false,
                };
                watcher.Changed += OnFileEvent;
                watcher.Created += OnFileEvent;
                watcher.Deleted += OnFileEvent;
                watcher.Renamed += OnFileEvent;
                watcher.Error += OnWatcherError;
                watcher.EnableRaisingEvents = true;
                _watchers[dir] = watcher;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // The timer still refreshes; a later refresh retries the watch.
                Log.WatchFailed(_logger, dir, ex.Message);
            }
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        Interlocked.Exchange(ref _fileEventPending, 1);
        _wakeups.Writer.TryWrite(true);
    }

    private void OnWatcherError(object sender, ErrorEventArgs e)
    {
        // A lost notification (buffer overflow) may hide any change, so re-read everything.
        Interlocked.Exchange(ref _fileEventPending, 1);
        _wakeups.Writer.TryWrite(true);
    }

    private void DisposeWatchers()
    {
        lock (_watchers)
        {
            foreach (var watcher in _watchers.Values)
            {
                watcher.EnableRaisingEvents = false;
                watcher.Dispose();
            }

            _watchers.Clear();
        }
    }
}
