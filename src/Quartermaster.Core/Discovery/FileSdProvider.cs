using System.Buffers;
using System.IO.Hashing;
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
/// groups of a file that shrank or disappeared are published empty. Only groups that changed are published, and a
/// file whose bytes hash as at its last parse is not parsed again. Directory watches come from
/// <see cref="Watches"/>, shared by every source of the process; a directory that cannot be watched is read every
/// <c>refresh_interval</c> and reported in <see cref="SourceStatus.Warning"/>.
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
    private readonly Dictionary<string, DirectoryWatchRegistry.Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _namesByDirectory;
    private readonly GroupTracker _tracker = new();
    private Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private long _filesParsed;
    private bool _refreshed;
    private long _filesUnchanged;
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
        _namesByDirectory = config.Files
            .GroupBy(FileSdPaths.WatchDirectory, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(static p => p[(p.LastIndexOf('/') + 1)..]).ToArray(), StringComparer.Ordinal);
    }

    public string Mechanism => "file_sd";

    /// <summary>Where directory watches come from; by default the one registry of the process.</summary>
    public DirectoryWatchRegistry Watches { get; init; } = DirectoryWatchRegistry.Shared;

    /// <summary>Whether to watch directories for changes; off, only the refresh timer triggers reads.</summary>
    internal bool WatchFiles { get; init; } = true;

    /// <summary>Files parsed since the start (a file whose bytes did not change since its last parse is not parsed).</summary>
    internal long FilesParsed => Interlocked.Read(ref _filesParsed);

    /// <summary>Reads that found a file's bytes unchanged and skipped parsing it.</summary>
    internal long FilesUnchanged => Interlocked.Read(ref _filesUnchanged);

    /// <summary>The groups last read from <paramref name="path"/> (the instances tracked and published).</summary>
    internal IReadOnlyList<TargetGroup> TrackedGroups(string path) => _files.TryGetValue(path, out var file) ? file.Groups : [];

    /// <summary>How many directories this source holds a watch on now.</summary>
    internal int WatchedDirectories
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count;
            }
        }
    }

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
    /// <remarks>
    /// Memory: each file is parsed on its own and its unchanged groups are swapped for the instances already tracked
    /// before the next file is read, so a re-read holds the previous groups plus one file's fresh parse, not a second
    /// copy of every file. A file whose bytes hash as before is not parsed at all.
    /// </remarks>
    internal void Refresh(Action<IReadOnlyList<TargetGroup>> publish)
    {
        var current = new Dictionary<string, FileState>(StringComparer.Ordinal);
        List<string>? failures = null;
        foreach (var pattern in _config.Files)
        {
            foreach (var path in FileSdPaths.Expand(pattern))
            {
                if (current.ContainsKey(path))
                {
                    continue;
                }

                var previous = _files.GetValueOrDefault(path);
                if (TryReadFile(path, previous, out var state, out var error))
                {
                    current[path] = state;
                    continue;
                }

                Log.ReadFailed(_logger, path, error);
                (failures ??= []).Add($"error reading file \"{path}\": {error}");

                // Keep the file's previous groups so a half-written or broken file does not drop its targets.
                current[path] = previous ?? FileState.Empty;
            }
        }

        // Every file as it was (same paths, same bytes or a failed read keeping its groups): nothing can have changed,
        // so the tracker is not rebuilt (at 100k targets that is a 100k-entry dictionary per refresh).
        var unchanged = _refreshed && current.Count == _files.Count;
        foreach (var (path, state) in current)
        {
            if (!unchanged)
            {
                break;
            }

            unchanged = _files.TryGetValue(path, out var previous) && ReferenceEquals(previous, state);
        }

        var changes = unchanged ? null : _tracker.Update(current.Values.SelectMany(static file => file.Groups));
        _files = current;
        _refreshed = true;
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

    /// <summary>
    /// Reads <paramref name="path"/>; when its bytes hash as <paramref name="previous"/>'s did, returns
    /// <paramref name="previous"/> without parsing, else parses it and keeps the tracked instance of every group that
    /// did not change.
    /// </summary>
    private bool TryReadFile(string path, FileState? previous, out FileState state, out string? error)
    {
        byte[]? buffer = null;
        try
        {
            int length;
            try
            {
                (buffer, length) = ReadPooled(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                state = FileState.Empty;
                error = ex.Message;
                return false;
            }

            var content = buffer.AsSpan(0, length);
            var hash = XxHash128.HashToUInt128(content);
            if (previous is not null && previous.Hash == hash && previous.Length == length)
            {
                Interlocked.Increment(ref _filesUnchanged);
                state = previous;
                error = null;
                return true;
            }

            Interlocked.Increment(ref _filesParsed);
            if (!TryParse(path, content, out var groups, out error))
            {
                state = FileState.Empty;
                return false;
            }

            for (var i = 0; i < groups.Count; i++)
            {
                groups[i] = _tracker.Tracked(groups[i]);
            }

            state = new FileState(hash, length, groups);
            return true;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Reads a whole file into a buffer rented from the shared pool; the caller returns it.</summary>
    private static (byte[] Buffer, int Length) ReadPooled(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        var expected = stream.Length;
        if (expected > Array.MaxLength - 1)
        {
            throw new IOException($"file is too large ({expected} bytes)");
        }

        // One byte more than the size, so a file that grew while being read is noticed and read to its end.
        var buffer = ArrayPool<byte>.Shared.Rent((int)expected + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= Array.MaxLength)
                    {
                        throw new IOException("file is too large");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Array.MaxLength));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static bool TryParse(string path, ReadOnlySpan<byte> content, out List<TargetGroup> groups, out string? error)
    {
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

        lock (_subscriptions)
        {
            WatchDirectoriesLocked();
        }
    }

    private void WatchDirectoriesLocked()
    {
        List<string>? problems = null;
        foreach (var (dir, names) in _namesByDirectory)
        {
            if (_subscriptions.TryGetValue(dir, out var existing))
            {
                if (!existing.IsLost)
                {
                    continue;
                }

                // The directory was deleted or replaced; watch whatever is there now.
                existing.Dispose();
                _subscriptions.Remove(dir);
            }

            if (!Directory.Exists(dir))
            {
                continue;
            }

            try
            {
                _subscriptions[dir] = Watches.Watch(dir, name =>
                {
                    if (IsRelevant(names, name))
                    {
                        OnFileEvent();
                    }
                });
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException
                or PlatformNotSupportedException or ObjectDisposedException)
            {
                // The timer still refreshes; a later refresh retries the watch.
                (problems ??= []).Add($"cannot watch directory {dir}: {ex.Message}");
            }
        }

        var warning = problems is null
            ? null
            : string.Join("; ", problems) + $"; changes are noticed every refresh_interval ({_config.RefreshInterval})";
        if (_status.ReportWarning(warning) && warning is not null)
        {
            Log.WatchFailed(_logger, warning);
        }
    }

    /// <summary>
    /// Whether a change of the directory entry <paramref name="name"/> can affect the files of <paramref name="names"/>
    /// (the last segments of this source's paths in that directory): a match, an unknown name, or a Kubernetes
    /// ConfigMap mount's <c>..data</c> swap.
    /// </summary>
    internal static bool IsRelevant(string[] names, string? name)
    {
        if (name is null || name.StartsWith("..", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var pattern in names)
        {
            if (string.Equals(pattern, name, StringComparison.Ordinal) || FileSdPaths.Match(pattern, name))
            {
                return true;
            }
        }

        return false;
    }

    private void OnFileEvent()
    {
        Interlocked.Exchange(ref _fileEventPending, 1);
        _wakeups.Writer.TryWrite(true);
    }

    private void DisposeWatchers()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions.Values)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }

    /// <summary>What one file last yielded: the hash and length of its bytes and its groups (the tracked instances).</summary>
    private sealed record FileState(UInt128 Hash, int Length, List<TargetGroup> Groups)
    {
        public static FileState Empty { get; } = new(UInt128.Zero, -1, []);
    }
}
