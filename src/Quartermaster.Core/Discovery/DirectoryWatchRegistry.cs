namespace Quartermaster.Core.Discovery;

/// <summary>
/// Directory change notifications shared by every file_sd source in the process: one OS watch per distinct directory,
/// reference-counted by its subscribers and removed when the last one is disposed.
/// </summary>
/// <remarks>
/// <para>
/// Why not one <see cref="FileSystemWatcher"/> per directory: on Linux each started <see cref="FileSystemWatcher"/> of
/// .NET 10 opens its own inotify instance, and a user may hold only 128 of them (<c>fs.inotify.max_user_instances</c>,
/// shared with every other process of the same user), so a configuration with ~120 file_sd directories could not
/// start. Sharing a watcher per directory does not help when every job has its own directory, and a single recursive
/// watcher on the common ancestor would watch whatever lies under it (possibly <c>/</c>). On Linux this registry
/// therefore uses ONE inotify instance for the whole process and adds one inotify watch per directory to it; watches
/// are limited by <c>fs.inotify.max_user_watches</c> (tens of thousands or more), not by the instance limit. Elsewhere
/// (no instance limit) it shares one <see cref="FileSystemWatcher"/> per directory.
/// </para>
/// <para>
/// A directory that cannot be watched makes <see cref="Watch"/> throw an <see cref="IOException"/>; callers then rely on
/// their refresh interval and retry later. A subscription whose directory was deleted or replaced becomes
/// <see cref="Subscription.IsLost"/> (after one last notification) and should be disposed and renewed.
/// </para>
/// </remarks>
public sealed class DirectoryWatchRegistry : IDisposable
{
    private readonly object _gate = new();
    private readonly bool _useInotify;
    private readonly Dictionary<string, Entry> _byDirectory = new(StringComparer.Ordinal);
    private readonly Dictionary<int, List<Entry>> _byDescriptor = [];
    private InotifyInstance? _inotify;
    private bool _disposed;

    public DirectoryWatchRegistry()
        : this(useInotify: OperatingSystem.IsLinux())
    {
    }

    internal DirectoryWatchRegistry(bool useInotify)
    {
        _useInotify = useInotify;
    }

    /// <summary>The registry every file_sd source uses unless given another; lives as long as the process.</summary>
    public static DirectoryWatchRegistry Shared { get; } = new();

    /// <summary>The OS mechanism in use: <c>inotify</c> or <c>FileSystemWatcher</c>.</summary>
    public string Mechanism => _useInotify ? "inotify" : nameof(FileSystemWatcher);

    /// <summary>How many distinct directories are watched now.</summary>
    public int WatchedDirectories
    {
        get
        {
            lock (_gate)
            {
                return _byDirectory.Count;
            }
        }
    }

    /// <summary>Whether the process-wide inotify instance is open (Linux only).</summary>
    internal bool HasInotifyInstance
    {
        get
        {
            lock (_gate)
            {
                return _inotify is not null;
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="onChange"/> (on a background thread, so it must be quick and must not block) whenever
    /// something in <paramref name="directory"/> is created, written, deleted or renamed, with the entry's name, or
    /// with <c>null</c> when any entry may have changed (lost notifications, the directory itself went away).
    /// </summary>
    /// <exception cref="IOException">The directory does not exist or cannot be watched (e.g. an inotify limit).</exception>
    public Subscription Watch(string directory, Action<string?> onChange)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(onChange);
        var key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_byDirectory.TryGetValue(key, out var entry))
            {
                entry = _useInotify ? AddInotifyEntry(key) : AddWatcherEntry(key);
                _byDirectory[key] = entry;
            }

            var subscription = new Subscription(this, entry, onChange);
            entry.Subscribers.Add(subscription);
            return subscription;
        }
    }

    public void Dispose()
    {
        InotifyInstance? inotify;
        List<Entry> entries;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            inotify = _inotify;
            _inotify = null;
            entries = [.. _byDirectory.Values];
            _byDirectory.Clear();
            _byDescriptor.Clear();
        }

        foreach (var entry in entries)
        {
            entry.Watcher?.Dispose();
            foreach (var subscriber in entry.Subscribers)
            {
                subscriber.MarkLost();
            }
        }

        inotify?.Dispose();
    }

    private Entry AddInotifyEntry(string directory)
    {
        // Opened on first use and retried on the next Watch if the instance limit was reached.
        _inotify ??= new InotifyInstance(OnInotifyEvent);
        var descriptor = _inotify.AddWatch(directory);
        var entry = new Entry(directory, descriptor, null);
        if (!_byDescriptor.TryGetValue(descriptor, out var sharing))
        {
            // Two spellings of one directory (a symlink) share one kernel watch.
            _byDescriptor[descriptor] = sharing = [];
        }

        sharing.Add(entry);
        return entry;
    }

    private Entry AddWatcherEntry(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"directory {directory} does not exist");
        }

        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size
                | NotifyFilters.CreationTime | NotifyFilters.DirectoryName,
            IncludeSubdirectories = false,
        };
        var entry = new Entry(directory, -1, watcher);
        watcher.Changed += (_, e) => Notify(entry, e.Name);
        watcher.Created += (_, e) => Notify(entry, e.Name);
        watcher.Deleted += (_, e) => Notify(entry, e.Name);
        watcher.Renamed += (_, e) =>
        {
            Notify(entry, e.OldName);
            Notify(entry, e.Name);
        };
        watcher.Error += (_, _) => Notify(entry, null);
        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch
        {
            watcher.Dispose();
            throw;
        }

        return entry;
    }

    private void OnInotifyEvent(int descriptor, InotifyInstance.Events events, string? name)
    {
        if (descriptor < 0)
        {
            // The kernel's queue overflowed: every directory may have missed changes.
            List<Entry> all;
            lock (_gate)
            {
                all = [.. _byDirectory.Values];
            }

            foreach (var entry in all)
            {
                Notify(entry, null);
            }

            return;
        }

        List<Entry>? entries;
        var gone = (events & (InotifyInstance.Events.Ignored | InotifyInstance.Events.DeleteSelf
            | InotifyInstance.Events.MoveSelf | InotifyInstance.Events.Unmount)) != 0;
        lock (_gate)
        {
            if (!_byDescriptor.TryGetValue(descriptor, out entries))
            {
                return;
            }

            entries = [.. entries];
            if (gone)
            {
                // The directory was deleted or moved: its watch is (or will be) dropped by the kernel.
                _byDescriptor.Remove(descriptor);
                foreach (var entry in entries)
                {
                    _byDirectory.Remove(entry.Directory);
                }

                if ((events & InotifyInstance.Events.Ignored) == 0)
                {
                    _inotify?.RemoveWatch(descriptor);
                }
            }
        }

        foreach (var entry in entries)
        {
            if (gone)
            {
                foreach (var subscriber in Snapshot(entry))
                {
                    subscriber.MarkLost();
                }
            }

            Notify(entry, gone ? null : name);
        }
    }

    private void Notify(Entry entry, string? name)
    {
        foreach (var subscriber in Snapshot(entry))
        {
            subscriber.Raise(name);
        }
    }

    private Subscription[] Snapshot(Entry entry)
    {
        lock (_gate)
        {
            return [.. entry.Subscribers];
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        FileSystemWatcher? toDispose = null;
        lock (_gate)
        {
            var entry = subscription.Entry;
            if (!entry.Subscribers.Remove(subscription) || entry.Subscribers.Count > 0)
            {
                return;
            }

            if (_byDirectory.TryGetValue(entry.Directory, out var current) && ReferenceEquals(current, entry))
            {
                _byDirectory.Remove(entry.Directory);
            }

            toDispose = entry.Watcher;
            if (entry.Descriptor >= 0 && _byDescriptor.TryGetValue(entry.Descriptor, out var sharing) && sharing.Remove(entry))
            {
                if (sharing.Count == 0)
                {
                    _byDescriptor.Remove(entry.Descriptor);
                    _inotify?.RemoveWatch(entry.Descriptor);
                }
            }
        }

        toDispose?.Dispose();
    }

    /// <summary>One subscriber's interest in one directory; dispose it to unsubscribe.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly DirectoryWatchRegistry _owner;
        private readonly Action<string?> _onChange;
        private int _state;

        internal Subscription(DirectoryWatchRegistry owner, Entry entry, Action<string?> onChange)
        {
            _owner = owner;
            Entry = entry;
            _onChange = onChange;
        }

        /// <summary>The watched directory, as a full path.</summary>
        public string Directory => Entry.Directory;

        /// <summary>The directory went away (deleted, moved, unmounted) or the registry closed; no more notifications.</summary>
        public bool IsLost => Volatile.Read(ref _state) != 0;

        internal Entry Entry { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _state, 2) != 2)
            {
                _owner.Unsubscribe(this);
            }
        }

        internal void MarkLost() => Interlocked.CompareExchange(ref _state, 1, 0);

        internal void Raise(string? name)
        {
            if (Volatile.Read(ref _state) != 2)
            {
                _onChange(name);
            }
        }
    }

    internal sealed class Entry(string directory, int descriptor, FileSystemWatcher? watcher)
    {
        public string Directory { get; } = directory;

        public int Descriptor { get; } = descriptor;

        public FileSystemWatcher? Watcher { get; } = watcher;

        public List<Subscription> Subscribers { get; } = [];
    }
}
