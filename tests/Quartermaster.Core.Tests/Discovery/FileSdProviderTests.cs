using Microsoft.Extensions.Time.Testing;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Core.Tests.Discovery;

[Collection(DirectoryWatchRegistryTests.InotifyInstances)]
public sealed class FileSdProviderTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<string?> _transitions = [];
    private readonly SourceStatus _status;
    private readonly PublishRecorder _recorder = new();

    public FileSdProviderTests()
    {
        _status = new SourceStatus("job", "file_sd", "files", (_, error) =>
        {
            lock (_transitions)
            {
                _transitions.Add(error);
            }
        });
    }

    public void Dispose() => _dir.Dispose();

    private FileSdProvider Provider(params string[] files) => Provider(watch: false, files);

    private FileSdProvider Provider(bool watch, params string[] files) =>
        new(new FileSdConfig { Files = files, RefreshInterval = PromDuration.FromSeconds(30) }, _status, _time)
        {
            WatchFiles = watch,
        };

    private string Line(string file, int index, string targets, string labels = "") =>
        $"{_dir.File(file)}:{index} {targets} __meta_filepath=\"{_dir.File(file)}\"{labels}";

    private IReadOnlyList<TargetGroup> RefreshOnce(FileSdProvider provider)
    {
        provider.Refresh(_recorder.Publish);
        Assert.True(_recorder.TryTake(out var batch));
        return batch!;
    }

    private void AssertNothingPublished(FileSdProvider provider)
    {
        provider.Refresh(_recorder.Publish);
        Assert.False(_recorder.TryTake(out _));
    }

    [Fact]
    public void Refresh_JsonAndYamlFiles_PublishesEveryGroupWithFilepath()
    {
        _dir.Write("a.json", """[{"targets":["a:1","a:2"],"labels":{"env":"prod"}},{"targets":["a:3"]}]""");
        _dir.Write("b.yml", "- targets: ['b:1']\n  labels: {port: 9100}\n");
        _dir.Write("c.YAML", "- targets: ['c:1']\n");

        var batch = RefreshOnce(Provider(_dir.Path + "/*.json", _dir.Path + "/*.yml", _dir.File("c.YAML")));

        Assert.Equal(
            [
                Line("a.json", 0, """{__address__="a:1"},{__address__="a:2"}""", ",env=\"prod\""),
                Line("a.json", 1, """{__address__="a:3"}"""),
                Line("b.yml", 0, """{__address__="b:1"}""", ",port=\"9100\""),
                Line("c.YAML", 0, """{__address__="c:1"}"""),
            ],
            GroupFormat.Render(batch).Order(StringComparer.Ordinal));
        Assert.Null(_status.LastError);
    }

    [Fact]
    public void Refresh_NoMatchingFiles_PublishesEmptyBatchOnceThenNothing()
    {
        var provider = Provider(_dir.Path + "/*.json");

        Assert.Empty(RefreshOnce(provider));
        AssertNothingPublished(provider);
    }

    [Fact]
    public void Refresh_OneFileChanged_PublishesOnlyThatFilesChangedGroups()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]},{"targets":["a:2"]}]""");
        _dir.Write("b.json", """[{"targets":["b:1"]}]""");
        var provider = Provider(_dir.Path + "/*.json");
        Assert.Equal(3, RefreshOnce(provider).Count);
        AssertNothingPublished(provider);

        _dir.Write("a.json", """[{"targets":["a:1"]},{"targets":["a:2","a:22"]}]""");

        Assert.Equal([Line("a.json", 1, """{__address__="a:2"},{__address__="a:22"}""")], GroupFormat.Render(RefreshOnce(provider)));
    }

    [Fact]
    public void Refresh_BrokenJson_KeepsLastTargetsAndReportsTheErrorOnce()
    {
        var path = _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        var provider = Provider(_dir.Path + "/*.json");
        RefreshOnce(provider);

        _dir.Write("a.json", "[{\"targets\":\n  [\"a:1\",]}]");
        AssertNothingPublished(provider);
        AssertNothingPublished(provider);

        Assert.Equal(2, _status.Failures);
        Assert.StartsWith($"error reading file \"{path}\": ", _status.LastError);
        Assert.EndsWith("at line 2, column 10", _status.LastError);
        lock (_transitions)
        {
            Assert.Equal([_status.LastError], _transitions);
        }

        _dir.Write("a.json", """[{"targets":["a:9"]}]""");
        Assert.Equal([Line("a.json", 0, """{__address__="a:9"}""")], GroupFormat.Render(RefreshOnce(provider)));
        Assert.Null(_status.LastError);
        lock (_transitions)
        {
            Assert.Equal(2, _transitions.Count);
            Assert.Null(_transitions[1]);
        }
    }

    [Fact]
    public void Refresh_BrokenFileThenDeleted_ItsGroupsPublishedEmpty()
    {
        _dir.Write("a.yml", "- targets: [a]\n- targets: [b]\n");
        var provider = Provider(_dir.Path + "/*.yml");
        RefreshOnce(provider);
        _dir.Write("a.yml", "- targets: [a\n");
        AssertNothingPublished(provider);
        Assert.NotNull(_status.LastError);

        File.Delete(_dir.File("a.yml"));

        Assert.Equal([$"{_dir.File("a.yml")}:0  ", $"{_dir.File("a.yml")}:1  "], GroupFormat.Render(RefreshOnce(provider)));
        Assert.Null(_status.LastError);
    }

    [Fact]
    public void Refresh_FileShrinks_VanishedGroupsPublishedEmpty()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]},{"targets":["a:2"]},{"targets":["a:3"]}]""");
        var provider = Provider(_dir.File("a.json"));
        RefreshOnce(provider);

        _dir.Write("a.json", """[{"targets":["a:1"]}]""");

        Assert.Equal([$"{_dir.File("a.json")}:1  ", $"{_dir.File("a.json")}:2  "], GroupFormat.Render(RefreshOnce(provider)));
    }

    [Fact]
    public void Refresh_GroupLosesAllTargets_PublishedEmpty()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        var provider = Provider(_dir.File("a.json"));
        RefreshOnce(provider);

        _dir.Write("a.json", """[{"targets":[],"labels":{"k":"v"}}]""");

        Assert.Equal([$"{_dir.File("a.json")}:0  "], GroupFormat.Render(RefreshOnce(provider)));
    }

    [Fact]
    public void Refresh_MissingFileAppears_GroupsPublished()
    {
        var provider = Provider(_dir.File("late.json"));
        Assert.Empty(RefreshOnce(provider));

        _dir.Write("late.json", """[{"targets":["x:1"]}]""");

        Assert.Equal([Line("late.json", 0, """{__address__="x:1"}""")], GroupFormat.Render(RefreshOnce(provider)));
    }

    [Fact]
    public void Refresh_FileMatchedByTwoPatterns_ReadOnce()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");

        var batch = RefreshOnce(Provider(_dir.Path + "/*.json", _dir.File("a.json")));

        Assert.Equal([Line("a.json", 0, """{__address__="a:1"}""")], GroupFormat.Render(batch));
    }

    [Fact]
    public void Refresh_UserFilepathLabel_Overridden()
    {
        _dir.Write("a.yml", "- targets: [a]\n  labels: {__meta_filepath: mine, z: last}\n");

        var batch = RefreshOnce(Provider(_dir.File("a.yml")));

        Assert.Equal([Line("a.yml", 0, """{__address__="a"}""", ",z=\"last\"")], GroupFormat.Render(batch));
    }

    [Fact]
    public async Task RunAsync_RefreshIntervalElapses_RereadsFiles()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        using var provider = Provider(_dir.Path + "/*.json");
        using var cts = new CancellationTokenSource();
        var run = provider.RunAsync(_recorder.Publish, cts.Token);
        Assert.Single(await _recorder.NextAsync());

        _dir.Write("a.json", """[{"targets":["a:2"]}]""");
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal([Line("a.json", 0, """{__address__="a:2"}""")], GroupFormat.Render(await _recorder.NextAsync()));
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_FileWritten_ChangeNotificationTriggersRefresh()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        using var provider = Provider(watch: true, _dir.Path + "/*.json");
        using var cts = new CancellationTokenSource();
        var run = provider.RunAsync(_recorder.Publish, cts.Token);
        Assert.Single(await _recorder.NextAsync());

        // The fake clock never moves, so only a file-system notification can cause these refreshes.
        _dir.Write("b.json", """[{"targets":["b:1"]}]""");
        var added = await _recorder.NextMatchingAsync(batch => batch.Any(g => g.Source.StartsWith(_dir.File("b.json"), StringComparison.Ordinal)));
        Assert.Equal([Line("b.json", 0, """{__address__="b:1"}""")], GroupFormat.Render(added));

        File.Delete(_dir.File("a.json"));
        var removed = await _recorder.NextMatchingAsync(batch => batch.Any(g => g.Targets.Count == 0));
        Assert.Equal([$"{_dir.File("a.json")}:0  "], GroupFormat.Render(removed));

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_Cancelled_CompletesWithoutThrowing()
    {
        using var provider = Provider(watch: true, _dir.Path + "/*.json");
        using var cts = new CancellationTokenSource();
        var run = provider.RunAsync(_recorder.Publish, cts.Token);
        await _recorder.NextAsync();

        await cts.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public void Refresh_FileRewrittenWithIdenticalBytes_NotParsedAndNothingPublished()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        _dir.Write("b.yml", "- targets: [b]\n");
        var provider = Provider(_dir.Path + "/*.json", _dir.Path + "/*.yml");
        RefreshOnce(provider);
        Assert.Equal(2, provider.FilesParsed);

        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        _dir.Write("b.yml", "- targets: [b]\n");
        AssertNothingPublished(provider);

        Assert.Equal(2, provider.FilesParsed);
        Assert.Equal(2, provider.FilesUnchanged);
        Assert.Null(_status.LastError);
    }

    [Fact]
    public void Refresh_IdenticalRewriteOfALargeFile_AllocatesAFractionOfTheFile()
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $$$"""{"targets":["t{{{i}}}:9100"],"labels":{"zone":"z{{{i % 7}}}"}}""")) + "]";
        _dir.Write("a.json", json);
        var provider = Provider(_dir.Path + "/*.json");
        RefreshOnce(provider);
        _dir.Write("a.json", json);
        AssertNothingPublished(provider);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertNothingPublished(provider);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Reading the bytes into a pooled buffer and hashing them allocates no copy of the file and no parse.
        Assert.InRange(allocated, 0, json.Length / 20);
        Assert.Equal(1, provider.FilesParsed);
    }

    [Fact]
    public void Refresh_SameLengthDifferentBytes_ParsedAndPublished()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        var provider = Provider(_dir.Path + "/*.json");
        RefreshOnce(provider);

        _dir.Write("a.json", """[{"targets":["a:2"]}]""");

        Assert.Equal([Line("a.json", 0, """{__address__="a:2"}""")], GroupFormat.Render(RefreshOnce(provider)));
        Assert.Equal(2, provider.FilesParsed);
        Assert.Equal(0, provider.FilesUnchanged);
    }

    [Fact]
    public void Refresh_ChangedFile_UnchangedGroupsKeepTheInstancesAlreadyPublished()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]},{"targets":["a:2"]}]""");
        var provider = Provider(_dir.Path + "/*.json");
        var first = RefreshOnce(provider);

        _dir.Write("a.json", """[{"targets":["a:1"]},{"targets":["a:3"]}]""");
        var second = RefreshOnce(provider);
        _dir.Write("a.json", """[{"targets":["a:1"]},{"targets":["a:4"]}]""");
        var third = RefreshOnce(provider);

        // Group 0 never changed: published once, and the instance kept is the one the consumer holds.
        Assert.Equal([Line("a.json", 1, """{__address__="a:3"}""")], GroupFormat.Render(second));
        Assert.Equal([Line("a.json", 1, """{__address__="a:4"}""")], GroupFormat.Render(third));
        Assert.Same(first[0], provider.TrackedGroups(_dir.File("a.json"))[0]);
        Assert.Same(third[0], provider.TrackedGroups(_dir.File("a.json"))[1]);
    }

    [Fact]
    public void Refresh_BrokenFileRewrittenIdentically_StillReportedAndLastGroupsKept()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        var provider = Provider(_dir.Path + "/*.json");
        RefreshOnce(provider);
        _dir.Write("a.json", "[{");
        AssertNothingPublished(provider);
        _dir.Write("a.json", "[{");
        AssertNothingPublished(provider);

        Assert.Equal(2, _status.Failures);
        Assert.NotNull(_status.LastError);
        Assert.Equal([Line("a.json", 0, """{__address__="a:1"}""")], GroupFormat.Render(provider.TrackedGroups(_dir.File("a.json"))));

        // Back to the bytes parsed before the breakage: parsed again (the broken read replaced nothing), nothing changed.
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        AssertNothingPublished(provider);
        Assert.Null(_status.LastError);
    }

    [Fact]
    public void Refresh_DirectoryCannotBeWatched_WarnsAndStillReads()
    {
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        var registry = new DirectoryWatchRegistry();
        registry.Dispose();
        var provider = new FileSdProvider(new FileSdConfig { Files = [_dir.Path + "/*.json"], RefreshInterval = PromDuration.FromSeconds(30) }, _status, _time)
        {
            Watches = registry,
        };

        Assert.Single(RefreshOnce(provider));

        Assert.StartsWith($"cannot watch directory {_dir.Path}: ", _status.Warning);
        Assert.EndsWith("changes are noticed every refresh_interval (30s)", _status.Warning);
        Assert.Null(_status.LastError);
        Assert.Equal(0, provider.WatchedDirectories);
    }

    [Fact]
    public async Task RunAsync_TwoProvidersOneDirectory_BothNotifiedAndStoppingOneKeepsTheOther()
    {
        using var registry = new DirectoryWatchRegistry();
        _dir.Write("a.json", """[{"targets":["a:1"]}]""");
        _dir.Write("b.json", """[{"targets":["b:1"]}]""");
        var recorderA = new PublishRecorder();
        var recorderB = new PublishRecorder();
        using var a = WatchingProvider(registry, _dir.File("a.json"));
        using var b = WatchingProvider(registry, _dir.Path + "/*.json");
        using var ctsA = new CancellationTokenSource();
        using var ctsB = new CancellationTokenSource();
        var runA = a.RunAsync(recorderA.Publish, ctsA.Token);
        var runB = b.RunAsync(recorderB.Publish, ctsB.Token);
        Assert.Single(await recorderA.NextAsync());
        Assert.Equal(2, (await recorderB.NextAsync()).Count);
        Assert.Equal(1, registry.WatchedDirectories);

        // The fake clock never moves, so only the shared notifications cause these refreshes.
        _dir.Write("a.json", """[{"targets":["a:2"]}]""");
        Assert.Equal([Line("a.json", 0, """{__address__="a:2"}""")], GroupFormat.Render(await recorderA.NextAsync()));
        Assert.Equal([Line("a.json", 0, """{__address__="a:2"}""")], GroupFormat.Render(await recorderB.NextAsync()));

        await ctsA.CancelAsync();
        await runA.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        _dir.Write("a.json", """[{"targets":["a:3"]}]""");

        Assert.Equal([Line("a.json", 0, """{__address__="a:3"}""")], GroupFormat.Render(await recorderB.NextAsync()));
        Assert.Equal(1, registry.WatchedDirectories);
        await ctsB.CancelAsync();
        await runB.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(0, registry.WatchedDirectories);
    }

    [Fact]
    public async Task RunAsync_TwoHundredSourcesInTwoHundredDirectories_AllWatchedAndNotified()
    {
        using var registry = new DirectoryWatchRegistry();
        var sources = new List<(FileSdProvider Provider, SourceStatus Status, PublishRecorder Recorder, Task Run, string File)>();
        using var cts = new CancellationTokenSource();
        for (var i = 0; i < 200; i++)
        {
            var dir = Directory.CreateDirectory(_dir.File("job" + i)).FullName;
            var file = dir + "/targets.json";
            File.WriteAllText(file, $$"""[{"targets":["t{{i}}:1"]}]""");
            var status = new SourceStatus("job" + i, "file_sd", file);
            var provider = new FileSdProvider(
                new FileSdConfig { Files = [file], RefreshInterval = PromDuration.FromSeconds(30) }, status, _time, null, TimeSpan.Zero)
            {
                Watches = registry,
            };
            var recorder = new PublishRecorder();
            sources.Add((provider, status, recorder, provider.RunAsync(recorder.Publish, cts.Token), file));
        }

        foreach (var source in sources)
        {
            Assert.Single(await source.Recorder.NextAsync());
            Assert.Null(source.Status.Warning);
        }

        Assert.Equal(200, registry.WatchedDirectories);
        for (var i = 0; i < 200; i++)
        {
            File.WriteAllText(sources[i].File, $$"""[{"targets":["t{{i}}:2"]}]""");
        }

        for (var i = 0; i < 200; i++)
        {
            var batch = await sources[i].Recorder.NextAsync();
            Assert.Equal($"t{i}:2", Assert.Single(Assert.Single(batch).Targets)[0].Value);
        }

        await cts.CancelAsync();
        await Task.WhenAll(sources.Select(s => s.Run)).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        foreach (var source in sources)
        {
            source.Provider.Dispose();
        }

        Assert.Equal(0, registry.WatchedDirectories);
    }

    [Theory]
    [InlineData("targets.json", "targets.json", true)]
    [InlineData("targets.json", "other.json", false)]
    [InlineData("*.json", "other.json", true)]
    [InlineData("*.json", "other.yml", false)]
    [InlineData("*.json", "..data", true)]
    [InlineData("*.json", null, true)]
    public void IsRelevant_EntryName_MatchesOwnPathsConfigMapSwapsAndUnknowns(string pattern, string? name, bool expected)
    {
        Assert.Equal(expected, FileSdProvider.IsRelevant([pattern], name));
    }

    private FileSdProvider WatchingProvider(DirectoryWatchRegistry registry, params string[] files) =>
        new(new FileSdConfig { Files = files, RefreshInterval = PromDuration.FromSeconds(30) }, _status, _time)
        {
            Watches = registry,
        };

    [Fact]
    public void Constructor_InvalidPath_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Provider("/a/*/b.json"));

        Assert.StartsWith("path name \"/a/*/b.json\" is not valid for file discovery", error.Message);
    }
}
