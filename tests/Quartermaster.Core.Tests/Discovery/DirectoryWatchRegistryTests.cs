using System.Collections.Concurrent;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Core.Tests.Discovery;

/// <summary>Counts the process' inotify instances, so it runs apart from the other tests that open them.</summary>
[Collection(InotifyInstances)]
public sealed class DirectoryWatchRegistryTests : IDisposable
{
    internal const string InotifyInstances = "inotify instances";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<bool> Backends() => OperatingSystem.IsLinux() ? new() { true, false } : new() { false };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Watch_TwoSubscribersOneDirectory_OneWatchBothNotified(bool inotify)
    {
        using var registry = new DirectoryWatchRegistry(inotify);
        var first = new Notifications();
        var second = new Notifications();
        using var a = registry.Watch(_dir.Path, first.Add);
        using var b = registry.Watch(_dir.Path + "/", second.Add);

        _dir.Write("a.json", "[]");

        Assert.Equal(1, registry.WatchedDirectories);
        await first.WaitForAsync("a.json");
        await second.WaitForAsync("a.json");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Dispose_OneOfTwoSubscribers_OtherStillNotifiedAndLastRemovesTheWatch(bool inotify)
    {
        using var registry = new DirectoryWatchRegistry(inotify);
        var first = new Notifications();
        var second = new Notifications();
        var a = registry.Watch(_dir.Path, first.Add);
        var b = registry.Watch(_dir.Path, second.Add);

        a.Dispose();
        _dir.Write("b.json", "[]");

        await second.WaitForAsync("b.json");
        Assert.Equal(1, registry.WatchedDirectories);
        Assert.DoesNotContain("b.json", first.Names);

        b.Dispose();
        Assert.Equal(0, registry.WatchedDirectories);
    }

    [Fact]
    public async Task Watch_TwoHundredDirectories_OneInotifyInstanceAndEveryDirectoryNotified()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "inotify is Linux only");
        var before = CountInotifyInstances();
        using var registry = new DirectoryWatchRegistry(useInotify: true);
        var notified = new ConcurrentDictionary<int, bool>();
        var subscriptions = new List<DirectoryWatchRegistry.Subscription>();
        for (var i = 0; i < 200; i++)
        {
            var index = i;
            var dir = Directory.CreateDirectory(_dir.File("d" + i)).FullName;
            subscriptions.Add(registry.Watch(dir, name =>
            {
                if (name == "f.json")
                {
                    notified[index] = true;
                }
            }));
        }

        Assert.Equal(200, registry.WatchedDirectories);

        // 200 FileSystemWatchers would need 200 instances (the default per-user limit is 128).
        Assert.Equal(before + 1, CountInotifyInstances());
        for (var i = 0; i < 200; i++)
        {
            File.WriteAllText(_dir.File($"d{i}/f.json"), "[]");
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        while (notified.Count < 200)
        {
            await Task.Delay(20, cts.Token);
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        Assert.Equal(0, registry.WatchedDirectories);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Watch_MissingDirectory_ThrowsIOException(bool inotify)
    {
        using var registry = new DirectoryWatchRegistry(inotify);

        Assert.ThrowsAny<IOException>(() => registry.Watch(_dir.File("missing"), _ => { }));
        Assert.Equal(0, registry.WatchedDirectories);
    }

    [Fact]
    public async Task Watch_DirectoryDeleted_SubscriptionLostAfterANotification()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "inotify is Linux only");
        using var registry = new DirectoryWatchRegistry(useInotify: true);
        var dir = Directory.CreateDirectory(_dir.File("gone")).FullName;
        var notifications = new Notifications();
        using var subscription = registry.Watch(dir, notifications.Add);

        Directory.Delete(dir);

        await notifications.WaitForAsync(null);
        Assert.True(subscription.IsLost);
        Assert.Equal(0, registry.WatchedDirectories);

        // A directory created again under the same name gets a fresh watch.
        Directory.CreateDirectory(dir);
        var again = new Notifications();
        using var renewed = registry.Watch(dir, again.Add);
        File.WriteAllText(dir + "/x.json", "[]");
        await again.WaitForAsync("x.json");
        Assert.False(renewed.IsLost);
    }

    [Fact]
    public async Task Dispose_Registry_ClosesItsInotifyInstance()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "inotify is Linux only");
        var before = CountInotifyInstances();
        var registry = new DirectoryWatchRegistry(useInotify: true);
        using var subscription = registry.Watch(_dir.Path, _ => { });
        Assert.True(registry.HasInotifyInstance);
        Assert.Equal(before + 1, CountInotifyInstances());

        registry.Dispose();

        Assert.True(subscription.IsLost);
        Assert.False(registry.HasInotifyInstance);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        while (CountInotifyInstances() != before)
        {
            await Task.Delay(10, cts.Token);
        }
    }

    [Fact]
    public void Watch_AfterDispose_Throws()
    {
        var registry = new DirectoryWatchRegistry();
        registry.Dispose();

        Assert.Throws<ObjectDisposedException>(() => registry.Watch(_dir.Path, _ => { }));
    }

    internal static int CountInotifyInstances()
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.Contains("inotify", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while enumerating.
            }
        }

        return count;
    }

    private sealed class Notifications
    {
        private readonly object _gate = new();
        private readonly List<string?> _names = [];

        public IReadOnlyList<string?> Names
        {
            get
            {
                lock (_gate)
                {
                    return [.. _names];
                }
            }
        }

        public void Add(string? name)
        {
            lock (_gate)
            {
                _names.Add(name);
            }
        }

        public async Task WaitForAsync(string? name)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(Timeout);
            while (!Names.Contains(name))
            {
                await Task.Delay(10, cts.Token);
            }
        }
    }
}
