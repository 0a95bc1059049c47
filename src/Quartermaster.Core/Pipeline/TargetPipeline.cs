using System.Collections.Frozen;
using System.Threading.Channels;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Explain;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Serving;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Pipeline;

/// <summary>
/// The one-way flow config → discovered groups → relabel filter and identity → allocation → served bytes.
/// </summary>
/// <remarks>
/// Producers (config reloads, discovery providers, collector watchers) enqueue events from any thread; one loop applies
/// them in batches, re-processes only the jobs whose groups changed, and publishes a new immutable
/// <see cref="ServingSnapshot"/>. Readers only ever read <see cref="Current"/>.
/// </remarks>
public sealed class TargetPipeline
{
    /// <summary>How many dropped targets each job remembers when its <c>keep_dropped_targets</c> is 0.</summary>
    public const int DefaultDroppedTargetsPerJob = 100;

    /// <summary>Touched jobs from which a snapshot's bodies are written in parallel.</summary>
    private const int ParallelJobThreshold = 32;

    /// <summary>Body garbage below this never asks for a collection (<see cref="BodyArena.TakeCollectionHint"/>).</summary>
    private const long MinimumGarbageForCollection = 64L * 1024 * 1024;

    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _wakeGate = new();
    private bool _wakeSignalled;

    /// <summary>Set when stored bodies change form (compressed or not): the next snapshot writes every body anew.</summary>
    private bool _rewriteAllBodies;

    private readonly Dictionary<string, JobSources> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtyJobs = new(StringComparer.Ordinal);
    private readonly List<ExplainEvent> _explains = [];
    private readonly LabelsBuilder _builder = new();
    private readonly BodyArena _bodies = new();
    private Label[] _merged = new Label[64];
    private readonly Allocator _allocator;
    private readonly PipelineMetrics? _metrics;
    private readonly TimeProvider _time;
    private PipelineConfig? _config;
    private string _strategyName;
    private ServingSnapshot _current = ServingSnapshot.Initial;
    private ITimer? _readinessTimer;
    private DateTimeOffset? _readinessTimerDue;
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TargetPipeline(IAllocationStrategy strategy, TimeProvider time, PipelineMetrics? metrics = null)
    {
        _allocator = new Allocator(strategy, time);
        _strategyName = strategy.Name;
        _time = time;
        _metrics = metrics;
    }

    /// <summary>The snapshot being served.</summary>
    public ServingSnapshot Current => Volatile.Read(ref _current);

    /// <summary>The name of the strategy in use.</summary>
    public string StrategyName => Volatile.Read(ref _strategyName);

    /// <summary>The allocation state; read it only from the pipeline loop or after it stopped.</summary>
    internal Allocator Allocator => _allocator;

    public void ApplyConfig(PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Enqueue(new ConfigEvent(config));
    }

    /// <summary>
    /// A provider's update. The first update from a new <paramref name="providerInstance"/> replaces everything the
    /// previous instance under the same key reported; later ones merge by group source.
    /// </summary>
    public void PublishGroups(string job, string providerKey, object providerInstance, IReadOnlyList<TargetGroup> groups)
    {
        Enqueue(new GroupsEvent(job, providerKey, providerInstance, groups));
    }

    public void SetCollectors(IReadOnlyList<CollectorInfo> collectors)
    {
        Enqueue(new CollectorsEvent(collectors));
    }

    /// <summary>
    /// Explains a target: answered on the pipeline's loop after the batch in flight is applied, so groups, relabeling
    /// and allocation agree; no copy of the state is made for it. Completes when the loop next runs
    /// (<see cref="Run"/>, or <see cref="ProcessPending"/> in tests).
    /// </summary>
    public Task<ExplainResult> ExplainAsync(ExplainQuery query, ExplainContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var e = new ExplainEvent(query, context ?? ExplainContext.Empty, new TaskCompletionSource<ExplainResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static state => ((TaskCompletionSource<ExplainResult>)state!).TrySetCanceled(), e.Result);
            _ = e.Result.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        Enqueue(e);
        return e.Result.Task;
    }

    /// <summary>Completes when the next snapshot after this call is published.</summary>
    public Task NextSnapshotAsync() => Volatile.Read(ref _published).Task;

    /// <summary>
    /// Runs the loop on the calling thread until <paramref name="cancellationToken"/> is cancelled (then throws
    /// <see cref="OperationCanceledException"/>): blocks while there is nothing to do, and applies each batch of events
    /// on this thread. The host gives it a dedicated thread, so allocation never waits for a thread-pool thread, however
    /// many requests are queued there.
    /// </summary>
    public void Run(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(static state => ((TargetPipeline)state!).Wake(), this);
        var reader = _events.Reader;
        while (true)
        {
            lock (_wakeGate)
            {
                while (!_wakeSignalled && !cancellationToken.IsCancellationRequested)
                {
                    Monitor.Wait(_wakeGate);
                }

                // Cleared before draining: an event written after the drain sets it again, so none is missed.
                _wakeSignalled = false;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var applied = false;
            while (reader.TryRead(out var e))
            {
                Apply(e);
                applied = true;
            }

            if (applied)
            {
                Publish();
            }
        }
    }

    /// <summary>
    /// Applies every queued event and publishes; for the host before the loop starts, and for tests and benchmarks
    /// that drive the pipeline inline. Never call it while <see cref="Run"/> runs.
    /// </summary>
    public void ProcessPending()
    {
        while (_events.Reader.TryRead(out var e))
        {
            Apply(e);
        }

        Publish();
    }

    private void Enqueue(Event e)
    {
        _events.Writer.TryWrite(e);
        Wake();
    }

    private void Wake()
    {
        lock (_wakeGate)
        {
            if (!_wakeSignalled)
            {
                _wakeSignalled = true;
                Monitor.Pulse(_wakeGate);
            }
        }
    }

    private void Apply(Event e)
    {
        switch (e)
        {
            case ConfigEvent c:
                ApplyConfigNow(c.Config);
                break;
            case GroupsEvent g:
                ApplyGroups(g);
                break;
            case CollectorsEvent c:
                var start = _time.GetTimestamp();
                if (_allocator.SetCollectors(c.Collectors))
                {
                    _metrics?.RecordTimeToAllocate("SetCollectors", _allocator.Strategy.Name, _time.GetElapsedTime(start));
                }

                break;
            case ReadinessEvent:
                _readinessTimerDue = null;
                _allocator.RefreshReadiness();
                break;
            case ExplainEvent x:
                // Answered after the batch is published, so the allocation matches the groups.
                _explains.Add(x);
                break;
        }
    }

    private void AnswerExplains()
    {
        if (_explains.Count == 0)
        {
            return;
        }

        var jobs = _jobs.Select(j => new ExplainJob(j.Value.Config!, j.Value.Filter!, j.Value.OrderedGroupsWithSource(), j.Value.Duplicates)).ToList();
        foreach (var x in _explains)
        {
            if (x.Result.Task.IsCompleted)
            {
                continue;
            }

            try
            {
                x.Result.TrySetResult(Explainer.Explain(x.Query, jobs, _allocator, Current.Generation, x.Context));
            }
            catch (Exception ex)
            {
                // A failed explanation must not stop the loop that serves the collectors.
                x.Result.TrySetException(ex);
            }
        }

        _explains.Clear();
    }

    /// <summary>
    /// Arms one timer for the moment the first not-ready collector runs out of its grace period, so its targets move
    /// then rather than on the next unrelated event.
    /// </summary>
    private void ScheduleReadinessCheck()
    {
        var due = _allocator.NextReadinessCheck;
        if (due == _readinessTimerDue)
        {
            return;
        }

        _readinessTimer?.Dispose();
        _readinessTimer = null;
        _readinessTimerDue = due;
        if (due is { } at)
        {
            var delay = at - _time.GetUtcNow();
            _readinessTimer = _time.CreateTimer(
                static state => ((TargetPipeline)state!).Enqueue(ReadinessEvent.Instance),
                this,
                delay > TimeSpan.Zero ? delay : TimeSpan.Zero,
                Timeout.InfiniteTimeSpan);
        }
    }

    private void ApplyConfigNow(PipelineConfig config)
    {
        var previous = _config;
        _config = config;
        if ((previous?.CompressBodies ?? false) != config.CompressBodies)
        {
            // Every stored body changes form once, in the snapshot this config is published in.
            _rewriteAllBodies = true;
        }
        if (config.CollectorNotReadyGracePeriod is { } grace)
        {
            _allocator.SetNotReadyGracePeriod(grace);
        }

        IReadOnlyList<CollectorInfo>? collectors = config.StaticCollectors ?? (previous?.StaticCollectors is not null ? [] : null);
        if (config.Strategy is not null && !ReferenceEquals(config.Strategy, _allocator.Strategy))
        {
            // Strategy and collectors change in one pass, so each target is re-assigned once; the snapshot is built
            // after the whole batch, so no reader sees a target with no owner or two.
            var start = _time.GetTimestamp();
            _allocator.SetStrategy(config.Strategy, collectors);
            _metrics?.RecordTimeToAllocate("SetCollectors", config.Strategy.Name, _time.GetElapsedTime(start));
            Volatile.Write(ref _strategyName, config.Strategy.Name);
        }
        else if (collectors is not null)
        {
            var start = _time.GetTimestamp();
            if (_allocator.SetCollectors(collectors))
            {
                _metrics?.RecordTimeToAllocate("SetCollectors", _allocator.Strategy.Name, _time.GetElapsedTime(start));
            }
        }

        var configured = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in config.Jobs)
        {
            configured.Add(job.JobName);
            if (!_jobs.TryGetValue(job.JobName, out var sources))
            {
                sources = new JobSources();
                _jobs.Add(job.JobName, sources);
            }

            var changed = sources.Config is null || sources.Config.KeepDroppedTargets != job.KeepDroppedTargets;
            sources.Config = job;
            var filter = new TargetFilter(job, config.RelabelFiltering);
            if (sources.Filter is null || !sources.Filter.IsEquivalentTo(filter))
            {
                // An unchanged job keeps its filter, and with it every group's cached result: a reload that
                // changes nothing relabels nothing.
                sources.Filter = filter;
                changed = true;
            }

            // A job whose filter, sources and limits are as before is not even re-assembled, so a reload that changes
            // nothing costs nothing per target.
            changed |= sources.KeepOnly(ProviderKeys(job));
            if (changed)
            {
                _dirtyJobs.Add(job.JobName);
            }
        }

        foreach (var job in _jobs.Keys.Where(j => !configured.Contains(j)).ToList())
        {
            _jobs.Remove(job);
            _allocator.SetJobTargets(job, []);
        }
    }

    /// <summary>The provider keys a job's configuration yields, in the form the host's discovery manager uses.</summary>
    public static IEnumerable<string> ProviderKeys(ScrapeConfig job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.StaticConfigs.Count > 0)
        {
            yield return "static";
        }

        for (var i = 0; i < job.FileSdConfigs.Count; i++)
        {
            yield return "file_sd/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < job.HttpSdConfigs.Count; i++)
        {
            yield return "http_sd/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < job.KubernetesSdConfigs.Count; i++)
        {
            yield return "kubernetes_sd/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private void ApplyGroups(GroupsEvent e)
    {
        if (!_jobs.TryGetValue(e.Job, out var sources) || !sources.Accepts(e.ProviderKey))
        {
            return;
        }

        sources.Update(e.ProviderKey, e.Instance, e.Groups);
        _dirtyJobs.Add(e.Job);
    }

    /// <summary>Jobs re-assembled from their groups since the pipeline was created (tests and benchmarks).</summary>
    internal long JobsProcessed { get; private set; }

    /// <summary>Groups relabeled since the pipeline was created (tests).</summary>
    internal long GroupsRelabeled { get; private set; }

    /// <summary>Bodies copied out of sparse slabs so far (<see cref="CompactBodies"/>).</summary>
    internal long BodiesMoved { get; private set; }

    /// <summary>Where the target bodies are stored: slab and live bytes show how much churn left unused.</summary>
    internal BodyArena Bodies => _bodies;

    private void Publish()
    {
        var start = _time.GetTimestamp();
        var processed = 0;
        var statsChanged = false;
        // Sorted, so a batch is applied in the same order whatever order its events came in.
        foreach (var job in _dirtyJobs.Order(StringComparer.Ordinal))
        {
            if (_jobs.TryGetValue(job, out var sources))
            {
                var jobStart = _time.GetTimestamp();
                statsChanged |= ProcessJob(job, sources);
                _metrics?.RecordProcessTargetGroups(job, _time.GetElapsedTime(jobStart));
                processed++;
                JobsProcessed++;
            }
        }

        _dirtyJobs.Clear();
        if (processed > 0)
        {
            _metrics?.RecordProcessTargets(_time.GetElapsedTime(start));
            _metrics?.RecordTimeToAllocate("SetTargets", _allocator.Strategy.Name, _time.GetElapsedTime(start));
        }

        var changes = _allocator.DrainChanges();
        ScheduleReadinessCheck();
        if (_metrics is not null)
        {
            for (var r = 0; r < MoveReasons.Count; r++)
            {
                _metrics.RecordMoves((MoveReason)r, changes.Moves[r]);
            }
        }

        var previous = Current;
        var configChanged = !ReferenceEquals(previous.ScrapeConfigsRedacted, _config?.ScrapeConfigsRedacted);
        if (!changes.IsEmpty || configChanged || statsChanged)
        {
            Volatile.Write(ref _current, BuildSnapshot(previous, changes));
            if (_bodies.TakeCollectionHint(MinimumGarbageForCollection))
            {
                // Replaced bodies sit on the large and pinned heaps until a full collection; a background one
                // (not blocking requests, skipped by the runtime when not worth it) keeps churn from doubling memory.
                GC.Collect(2, GCCollectionMode.Optimized, blocking: false);
            }
        }

        _allocator.ServingGeneration = Current.Generation + 1;
        AnswerExplains();
        var done = Interlocked.Exchange(ref _published, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        done.TrySetResult();
    }

    /// <summary>
    /// Re-assembles a job from its groups. Only groups that changed since the job was last processed (a new
    /// <see cref="TargetGroup"/> object, or a new filter after a config change) are relabeled; the others reuse their
    /// cached result, so one changed EndpointSlice costs the relabeling of that slice only. Duplicates across groups
    /// are resolved here, in group order, exactly as when everything is processed afresh.
    /// </summary>
    private bool ProcessJob(string job, JobSources sources)
    {
        var filter = sources.Filter!;
        var byHash = new Dictionary<ulong, TargetItem>(Math.Max(sources.Kept, sources.TargetCount));
        var discovered = 0;
        var duplicates = 0;
        var droppedCount = 0;
        var limit = sources.Config!.KeepDroppedTargets > 0 ? (int)Math.Min(sources.Config.KeepDroppedTargets, int.MaxValue) : DefaultDroppedTargetsPerJob;
        var dropped = new List<DroppedTarget>();
        foreach (var entry in sources.OrderedEntries())
        {
            var group = entry.Group;
            if (entry.Result is not { } result || !ReferenceEquals(result.Filter, filter))
            {
                result = ProcessGroup(job, group, filter);
                entry.Result = result;
            }

            discovered += group.Targets.Count;
            droppedCount += result.Dropped.Length;
            for (var i = 0; i < result.Dropped.Length && dropped.Count < limit; i++)
            {
                var (index, rule) = result.Dropped[i];
                var target = group.Targets[index];
                var merged = new Label[group.Labels.Length + target.Length];
                dropped.Add(new DroppedTarget(merged[..LabelSets.MergeInto(merged, group.Labels, target)], rule));
            }

            foreach (var item in result.Kept)
            {
                if (!byHash.TryAdd(item.Hash, item))
                {
                    // Targets that are the same after relabeling are one target; the last one wins, as upstream.
                    byHash[item.Hash] = item;
                    duplicates++;
                }
            }
        }

        var statsChanged = sources.Discovered != discovered || sources.Duplicates != duplicates || sources.DroppedCount != droppedCount
            || !DroppedTarget.SequenceEqual(sources.Dropped, dropped);
        sources.Discovered = discovered;
        sources.Duplicates = duplicates;
        sources.DroppedCount = droppedCount;
        sources.Kept = byHash.Count;
        if (statsChanged)
        {
            sources.Dropped = dropped;
        }

        _allocator.SetJobTargets(job, [.. byHash.Values]);
        return statsChanged;
    }

    /// <summary>Relabels one group: the targets it keeps, in order, and the index and rule of each it drops.</summary>
    private GroupResult ProcessGroup(string job, TargetGroup group, TargetFilter filter)
    {
        GroupsRelabeled++;
        var kept = new List<TargetItem>(group.Targets.Count);
        List<(int Index, int Rule)>? dropped = null;
        for (var t = 0; t < group.Targets.Count; t++)
        {
            var target = group.Targets[t];
            var needed = group.Labels.Length + target.Length;
            if (_merged.Length < needed)
            {
                _merged = new Label[Math.Max(needed, _merged.Length * 2)];
            }

            var merged = _merged.AsSpan(0, LabelSets.MergeInto(_merged, group.Labels, target));
            if (!filter.TryProcess(merged, _builder, out var hash, out var rule))
            {
                (dropped ??= []).Add((t, rule));
                continue;
            }

            var address = LabelSets.IndexOf(target, "__address__") is var i and >= 0 ? target[i].Value : "";
            kept.Add(new TargetItem(job, address, group.Labels, target, hash));
        }

        return new GroupResult(filter, [.. kept], dropped is null ? [] : [.. dropped]);
    }

    private ServingSnapshot BuildSnapshot(ServingSnapshot previous, AllocationChanges changes)
    {
        var collectors = _allocator.Collectors.Keys.Order(Config.GoJson.Utf8Order.Instance).ToArray();
        // Only pairs of jobs already served are looked up (the others get every body written), so a large first
        // pass does not build a set of every pair.
        var dirtyPairs = new HashSet<(string, string)>();
        var touchedJobs = new HashSet<string>(changes.DirtyJobs, StringComparer.Ordinal);
        foreach (var pair in changes.DirtyPairs)
        {
            touchedJobs.Add(pair.Job);
            if (previous.Jobs.ContainsKey(pair.Job))
            {
                dirtyPairs.Add(pair);
            }
        }

        var rewriteAll = _rewriteAllBodies;
        _rewriteAllBodies = false;
        if (rewriteAll)
        {
            touchedJobs.UnionWith(previous.Jobs.Keys);
        }

        var compress = _config?.CompressBodies ?? false;
        var jobs = new Dictionary<string, JobView>(previous.Jobs, StringComparer.Ordinal);

        // Each touched job's bodies are independent of the others' and the allocator is not written meanwhile, so a
        // large change (a full pass, a collector change) writes them on every core; a small one stays on this thread.
        // Each worker writes through its own cursor, so no two threads share a slab.
        var touched = touchedJobs.ToArray();
        var views = new JobView?[touched.Length];
        long written = 0;
        if (touched.Length >= ParallelJobThreshold && Environment.ProcessorCount > 1)
        {
            Parallel.For(
                0,
                touched.Length,
                _bodies.OpenCursor,
                (i, _, cursor) =>
                {
                    views[i] = BuildJobView(touched[i], rewriteAll ? null : previous, dirtyPairs, collectors, compress, cursor);
                    return cursor;
                },
                cursor =>
                {
                    Interlocked.Add(ref written, cursor.Written);
                    cursor.Dispose();
                });
        }
        else
        {
            using var cursor = _bodies.OpenCursor();
            for (var i = 0; i < touched.Length; i++)
            {
                views[i] = BuildJobView(touched[i], rewriteAll ? null : previous, dirtyPairs, collectors, compress, cursor);
            }

            written = cursor.Written;
        }

        for (var i = 0; i < touched.Length; i++)
        {
            previous.Jobs.TryGetValue(touched[i], out var old);
            ReleaseReplacedBodies(old, views[i]);
            if (views[i] is { } view)
            {
                jobs[touched[i]] = view;
            }
            else
            {
                jobs.Remove(touched[i]);
            }
        }

        CompactBodies(jobs, collectors, written);

        if (changes.CollectorsChanged)
        {
            // Every job's collector map lists every collector, so each view gets a fresh lazily built map.
            foreach (var (job, view) in jobs.ToList())
            {
                if (!touchedJobs.Contains(job))
                {
                    jobs[job] = NewView(job, view.TargetCount, view.ByCollector, collectors, view.ItemsByCollector, view.Unassigned);
                }
            }
        }

        var jobsJson = previous.JobsJson;
        if (jobs.Count != previous.Jobs.Count || touchedJobs.Any(j => jobs.ContainsKey(j) != previous.Jobs.ContainsKey(j)))
        {
            jobsJson = ResponseWriter.Jobs(jobs.Keys);
        }

        return new ServingSnapshot(
            previous.Generation + 1,
            _config?.ScrapeConfigsRedacted,
            _config?.ScrapeConfigsWithSecrets,
            jobsJson,
            jobs.ToFrozenDictionary(StringComparer.Ordinal),
            collectors,
            _allocator.TargetCount,
            _allocator.UnassignedCount,
            _config?.Version,
            _allocator.Collectors.ToFrozenDictionary(c => c.Key, c => c.Value.NumTargets, StringComparer.Ordinal),
            _jobs.ToFrozenDictionary(j => j.Key, j => new JobStats(j.Value.Discovered, _allocator.TargetCountOfJob(j.Key), j.Value.Duplicates, j.Value.DroppedCount), StringComparer.Ordinal),
            _jobs.ToFrozenDictionary(j => j.Key, j => j.Value.Dropped, StringComparer.Ordinal))
        {
            CollectorNodes = _allocator.Collectors.ToFrozenDictionary(c => c.Key, c => c.Value.NodeName, StringComparer.Ordinal),
            NotReadyCollectors = [.. _allocator.NotReadyCollectors.Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>The view of <paramref name="job"/> after a change, reusing the bodies of unchanged collectors; null when it has no targets.</summary>
    private JobView? BuildJobView(
        string job, ServingSnapshot? previous, HashSet<(string, string)> dirtyPairs, string[] collectors, bool compress, BodyCursor cursor)
    {
        var count = _allocator.TargetCountOfJob(job);
        if (count == 0)
        {
            return null;
        }

        JobView? old = null;
        previous?.Jobs.TryGetValue(job, out old);

        // Plain dictionaries: read-only once published (safe for concurrent readers), and much cheaper to build
        // than frozen ones for the few collectors of one job.
        var owners = _allocator.CollectorsOfJob(job);
        var byCollector = new Dictionary<string, StoredBody>(owners.Count, StringComparer.Ordinal);
        var itemsByCollector = new Dictionary<string, TargetItem[]>(owners.Count, StringComparer.Ordinal);

        // Only collectors holding targets of this job get bytes; the others answer [] without an entry.
        foreach (var collector in owners)
        {
            if (old is not null && !dirtyPairs.Contains((job, collector)) && old.ByCollector.TryGetValue(collector, out var kept)
                && old.ItemsByCollector.TryGetValue(collector, out var keptItems))
            {
                byCollector[collector] = kept;
                itemsByCollector[collector] = keptItems;
                continue;
            }

            var items = _allocator.TargetArrayFor(job, collector);
            if (items.Length == 0)
            {
                continue;
            }

            Array.Sort(items, static (a, b) =>
            {
                var c = string.CompareOrdinal(a.TargetUrl, b.TargetUrl);
                return c != 0 ? c : a.Hash.CompareTo(b.Hash);
            });
            byCollector[collector] = ResponseWriter.TargetGroups(items, cursor, job, collector, compress);
            itemsByCollector[collector] = items;
        }

        var unassigned = _allocator.UnassignedOf(job).Select(u => new UnassignedTarget(u.Item, u.Reason)).ToList();
        unassigned.Sort(static (a, b) => string.CompareOrdinal(a.Item.TargetUrl, b.Item.TargetUrl));
        return NewView(job, count, byCollector, collectors, itemsByCollector, unassigned);
    }

    private static JobView NewView(
        string job,
        int count,
        IReadOnlyDictionary<string, StoredBody> byCollector,
        string[] collectors,
        IReadOnlyDictionary<string, TargetItem[]> items,
        IReadOnlyList<UnassignedTarget> unassigned) =>
        new(job, count, byCollector, () => ResponseWriter.CollectorMap(
            job, collectors, c => byCollector.TryGetValue(c, out var b) ? b.Plain : ServingSnapshot.EmptyTargets), items, unassigned);

    /// <summary>Releases the bodies of <paramref name="old"/> that <paramref name="replacement"/> no longer serves.</summary>
    private void ReleaseReplacedBodies(JobView? old, JobView? replacement)
    {
        if (old is null || ReferenceEquals(old.ByCollector, replacement?.ByCollector))
        {
            return;
        }

        foreach (var (collector, body) in old.ByCollector)
        {
            if (replacement is null || !replacement.ByCollector.TryGetValue(collector, out var now) || !ReferenceEquals(now, body))
            {
                _bodies.Release(body);
            }
        }
    }

    /// <summary>
    /// Moves the live bodies out of the sparsest slabs (<see cref="BodyArena.TakeSparseSlabs"/>) into fresh space, and
    /// gives their jobs views serving the copies; the old slabs are freed with the last snapshot still using them.
    /// </summary>
    private void CompactBodies(Dictionary<string, JobView> jobs, string[] collectors, long written)
    {
        var sparse = _bodies.TakeSparseSlabs(written);
        if (sparse.Count == 0)
        {
            return;
        }

        var moved = new Dictionary<string, Dictionary<string, StoredBody>>(StringComparer.Ordinal);
        using (var cursor = _bodies.OpenCursor())
        {
            foreach (var slab in sparse)
            {
                foreach (var (job, collector, body) in slab.Bodies)
                {
                    if (body.Released || !jobs.TryGetValue(job, out var view)
                        || !view.ByCollector.TryGetValue(collector, out var current) || !ReferenceEquals(current, body))
                    {
                        continue;
                    }

                    if (!moved.TryGetValue(job, out var replacements))
                    {
                        moved[job] = replacements = new Dictionary<string, StoredBody>(view.ByCollector, StringComparer.Ordinal);
                    }

                    var copy = cursor.Copy(body.Span, job, collector);
                    copy.AdoptGzipCopy(body);
                    replacements[collector] = copy;
                    body.Released = true;
                    BodiesMoved++;
                }

                slab.Bodies.Clear();
            }
        }

        foreach (var (job, byCollector) in moved)
        {
            var view = jobs[job];
            jobs[job] = NewView(job, view.TargetCount, byCollector, collectors, view.ItemsByCollector, view.Unassigned);
        }
    }

    private abstract record Event;

    private sealed record ConfigEvent(PipelineConfig Config) : Event;

    private sealed record GroupsEvent(string Job, string ProviderKey, object Instance, IReadOnlyList<TargetGroup> Groups) : Event;

    private sealed record CollectorsEvent(IReadOnlyList<CollectorInfo> Collectors) : Event;

    private sealed record ExplainEvent(ExplainQuery Query, ExplainContext Context, TaskCompletionSource<ExplainResult> Result) : Event;

    private sealed record ReadinessEvent : Event
    {
        public static readonly ReadinessEvent Instance = new();
    }

    private sealed class JobSources
    {
        private readonly SortedDictionary<string, Provider> _providers = new(StringComparer.Ordinal);
        private HashSet<string> _allowed = new(StringComparer.Ordinal);

        public ScrapeConfig? Config { get; set; }

        public TargetFilter? Filter { get; set; }

        public int Discovered { get; set; }

        public int Duplicates { get; set; }

        public int DroppedCount { get; set; }

        public IReadOnlyList<DroppedTarget> Dropped { get; set; } = [];

        /// <summary>How many distinct targets the job kept last time (sizes the next assembly).</summary>
        public int Kept { get; set; }

        /// <summary>Targets in the job's groups, before relabeling and de-duplication.</summary>
        public int TargetCount
        {
            get
            {
                var count = 0;
                foreach (var provider in _providers.Values)
                {
                    foreach (var entry in provider.Groups.Values)
                    {
                        count += entry.Group.Targets.Count;
                    }
                }

                return count;
            }
        }

        public bool Accepts(string key) => _allowed.Contains(key);

        /// <summary>Keeps only the providers of <paramref name="keys"/>; returns whether the set of keys changed.</summary>
        public bool KeepOnly(IEnumerable<string> keys)
        {
            var allowed = new HashSet<string>(keys, StringComparer.Ordinal);
            var changed = !_allowed.SetEquals(allowed);
            _allowed = allowed;
            foreach (var key in _providers.Keys.Where(k => !_allowed.Contains(k)).ToList())
            {
                _providers.Remove(key);
                changed = true;
            }

            return changed;
        }

        public void Update(string key, object instance, IReadOnlyList<TargetGroup> groups)
        {
            if (!_providers.TryGetValue(key, out var provider) || !ReferenceEquals(provider.Instance, instance))
            {
                provider = new Provider(instance);
                _providers[key] = provider;
            }

            foreach (var group in groups)
            {
                if (group.Targets.Count == 0)
                {
                    provider.Groups.Remove(group.Source);
                }
                else if (!provider.Groups.TryGetValue(group.Source, out var entry) || !entry.Group.HasSameContent(group))
                {
                    // A changed group is relabeled again; the same object republished, or an equal one re-read,
                    // keeps its result (and the objects it was built from).
                    provider.Groups[group.Source] = new GroupEntry(group);
                }
            }
        }

        /// <summary>Groups in a fixed order (provider key, then source) so "last one wins" is deterministic.</summary>
        public IEnumerable<GroupEntry> OrderedEntries()
        {
            foreach (var provider in _providers.Values)
            {
                foreach (var entry in provider.Groups.Values)
                {
                    yield return entry;
                }
            }
        }

        /// <summary>As <see cref="OrderedEntries"/>: each group with its provider key.</summary>
        public IEnumerable<(string Source, TargetGroup Group)> OrderedGroupsWithSource()
        {
            foreach (var (key, provider) in _providers)
            {
                foreach (var entry in provider.Groups.Values)
                {
                    yield return (key, entry.Group);
                }
            }
        }

        private sealed class Provider(object instance)
        {
            public object Instance { get; } = instance;

            public SortedDictionary<string, GroupEntry> Groups { get; } = new(StringComparer.Ordinal);
        }
    }

    /// <summary>A discovered group and, once processed, its relabeling result.</summary>
    private sealed class GroupEntry(TargetGroup group)
    {
        public TargetGroup Group { get; } = group;

        public GroupResult? Result { get; set; }
    }

    /// <summary>What relabeling made of one group under one filter.</summary>
    private sealed record GroupResult(TargetFilter Filter, TargetItem[] Kept, (int Index, int Rule)[] Dropped);
}
