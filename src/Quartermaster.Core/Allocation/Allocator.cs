using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// The allocation state: live collectors, every kept target, and who owns what (spec upstream-ta.md §4.1).
/// </summary>
/// <remarks>
/// Single writer: the pipeline calls it from one thread. Work is incremental: replacing one job's targets touches that
/// job only, and a collector change moves only the targets whose owner the strategy changes. Every change records the
/// (job, collector) pairs and jobs whose served bytes must be rebuilt, which the snapshot builder drains.
/// Unlike upstream (§11 Q2), a collector whose node changes counts as changed.
/// </remarks>
public sealed class Allocator
{
    public const string NoCollectorsReason = "no collectors are registered";

    private readonly Dictionary<string, Collector> _collectors = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Entry> _targets = [];
    private readonly Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<(string Job, string Collector)> _dirtyPairs = [];
    private readonly HashSet<string> _dirtyJobs = new(StringComparer.Ordinal);
    private readonly int[] _moves = new int[MoveReasons.Count];
    private readonly long[] _movedTotal = new long[MoveReasons.Count];
    private readonly CollectorSet _collectorSet;
    private IReadOnlyList<CollectorInfo> _reported = [];
    private IReadOnlySet<string> _notReady = new HashSet<string>(StringComparer.Ordinal);
    private IAllocationStrategy _strategy;
    private bool _collectorsChanged;
    private int _unassigned;

    public Allocator(IAllocationStrategy strategy, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        _strategy = strategy;
        _collectorSet = new CollectorSet(time ?? TimeProvider.System, CollectorSet.DefaultGracePeriod);
    }

    public IAllocationStrategy Strategy => _strategy;

    /// <summary>The allocatable collectors: reported, and ready or within the grace period.</summary>
    public IReadOnlyDictionary<string, Collector> Collectors => _collectors;

    /// <summary>Reported collectors left out because they stayed not ready past the grace period.</summary>
    public IReadOnlySet<string> NotReadyCollectors => _notReady;

    /// <summary>When a collector within its grace period runs out of it; call <see cref="RefreshReadiness"/> then.</summary>
    public DateTimeOffset? NextReadinessCheck { get; private set; }

    public TimeSpan NotReadyGracePeriod => _collectorSet.GracePeriod;

    public int TargetCount => _targets.Count;

    public int UnassignedCount => _unassigned;

    public IEnumerable<string> Jobs => _jobs.Keys;

    /// <summary>Targets moved between collectors since this allocator was created.</summary>
    public long MovedTotal(MoveReason reason) => _movedTotal[(int)reason];

    /// <summary>
    /// Replaces the strategy and, when given, the collector set, then re-assigns every target once under both.
    /// </summary>
    public void SetStrategy(IAllocationStrategy strategy, IEnumerable<CollectorInfo>? collectors = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        _strategy = strategy;
        Dictionary<string, MoveReason>? lost = null;
        if (collectors is not null)
        {
            _reported = [.. collectors];
            UpdateCollectors(out lost, out _);
        }

        _strategy.SetCollectors(_collectors);
        ReassignAll(lost, MoveReason.StrategyChanged);
    }

    /// <summary>Sets <c>collector_not_ready_grace_period</c> and applies it. Returns whether the collector set changed.</summary>
    public bool SetNotReadyGracePeriod(TimeSpan gracePeriod)
    {
        if (gracePeriod == _collectorSet.GracePeriod)
        {
            return false;
        }

        _collectorSet.GracePeriod = gracePeriod;
        return ApplyCollectors();
    }

    /// <summary>Re-applies the grace period to the last reported collectors at the current time.</summary>
    public bool RefreshReadiness() => ApplyCollectors();

    /// <summary>
    /// Replaces all targets of <paramref name="job"/>; items must have distinct hashes. Returns whether anything changed.
    /// </summary>
    public bool SetJobTargets(string job, IReadOnlyList<TargetItem> items)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(items);
        if (!_jobs.TryGetValue(job, out var state))
        {
            if (items.Count == 0)
            {
                return false;
            }

            state = new JobState();
            _jobs.Add(job, state);
        }

        var changed = false;
        var incoming = new HashSet<ulong>(items.Count);
        foreach (var item in items)
        {
            incoming.Add(item.Hash);
        }

        List<ulong>? removed = null;
        foreach (var hash in state.Hashes)
        {
            if (!incoming.Contains(hash))
            {
                (removed ??= []).Add(hash);
            }
        }

        if (removed is not null)
        {
            foreach (var hash in removed)
            {
                var entry = _targets[hash];
                Unassign(hash, entry);
                _targets.Remove(hash);
                state.Hashes.Remove(hash);
                changed = true;
            }
        }

        List<Entry>? added = null;
        foreach (var item in items)
        {
            if (_targets.TryGetValue(item.Hash, out var existing))
            {
                // Same identity: serve the fresh labels without moving the target (upstream #4839).
                if (!existing.Item.Labels.AsSpan().SequenceEqual(item.Labels) || existing.Item.TargetUrl != item.TargetUrl)
                {
                    existing.Item = item;
                    if (existing.Collector is not null)
                    {
                        _dirtyPairs.Add((job, existing.Collector));
                    }

                    changed = true;
                }

                continue;
            }

            var entry = new Entry(item);
            _targets.Add(item.Hash, entry);
            state.Hashes.Add(item.Hash);
            (added ??= []).Add(entry);
            changed = true;
        }

        if (added is not null)
        {
            // Identity order, so order-sensitive strategies (least-weighted) give every replica the same answer
            // whatever order the items came in; upstream walks a Go map (spec §11 Q10).
            added.Sort(static (a, b) => a.Item.Hash.CompareTo(b.Item.Hash));
            foreach (var entry in added)
            {
                _unassigned++;
                entry.UnassignedReason = NoCollectorsReason;
                if (_collectors.Count > 0)
                {
                    AssignTo(entry.Item.Hash, entry, _strategy.Assign(entry.Item, null, _collectors, out var reason), reason);
                }
            }
        }

        if (state.Hashes.Count == 0)
        {
            _jobs.Remove(job);
            changed = true;
        }

        if (changed)
        {
            _dirtyJobs.Add(job);
        }

        return changed;
    }

    /// <summary>
    /// Replaces the reported collector set; not-ready collectors are filtered by the grace period. Returns whether the
    /// allocatable set changed.
    /// </summary>
    public bool SetCollectors(IEnumerable<CollectorInfo> collectors)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        _reported = [.. collectors];
        return ApplyCollectors();
    }

    private bool ApplyCollectors()
    {
        if (!UpdateCollectors(out var lost, out var anyAdded))
        {
            return false;
        }

        // A target moving between two collectors that both stay moved because the set grew or shrank around them.
        var reasonForLiveOwner = anyAdded || lost is null ? MoveReason.CollectorAdded
            : lost.ContainsValue(MoveReason.CollectorRemoved) ? MoveReason.CollectorRemoved
            : MoveReason.CollectorNotReady;
        _strategy.SetCollectors(_collectors);
        ReassignAll(lost, reasonForLiveOwner);
        return true;
    }

    /// <summary>
    /// Brings <see cref="_collectors"/> in line with the reported set and detaches the targets of collectors that left,
    /// remembering where each came from so the re-assignment can tell a move from a return.
    /// </summary>
    private bool UpdateCollectors(out Dictionary<string, MoveReason>? lost, out bool anyAdded)
    {
        lost = null;
        anyAdded = false;
        var selection = _collectorSet.Select(_reported);
        NextReadinessCheck = selection.NextCheck;
        _notReady = selection.NotReady;
        var wanted = new Dictionary<string, CollectorInfo>(StringComparer.Ordinal);
        foreach (var c in selection.Allocatable)
        {
            wanted[c.Name] = c;
        }

        var changed = wanted.Count != _collectors.Count;
        if (!changed)
        {
            foreach (var (name, info) in wanted)
            {
                if (!_collectors.TryGetValue(name, out var existing) || existing.NodeName != info.NodeName)
                {
                    changed = true;
                    break;
                }
            }
        }

        if (!changed)
        {
            return false;
        }

        // A collector whose node changed leaves and rejoins, so per-node re-reads its node (unlike upstream, §11 Q2).
        foreach (var (name, collector) in _collectors)
        {
            if (!wanted.TryGetValue(name, out var w) || w.NodeName != collector.NodeName)
            {
                (lost ??= new(StringComparer.Ordinal))[name] = selection.NotReady.Contains(name)
                    ? MoveReason.CollectorNotReady
                    : MoveReason.CollectorRemoved;
            }
        }

        if (lost is not null)
        {
            foreach (var name in lost.Keys)
            {
                _collectors.Remove(name);
            }

            foreach (var (hash, entry) in _targets)
            {
                if (entry.Collector is { } owner && lost.ContainsKey(owner))
                {
                    Unassign(hash, entry);
                    entry.LostFrom = owner;
                    _unassigned++;
                    entry.UnassignedReason = lost[owner] == MoveReason.CollectorNotReady
                        ? "its collector is not ready"
                        : "its collector was removed";
                }
            }
        }

        foreach (var (name, info) in wanted)
        {
            if (!_collectors.ContainsKey(name))
            {
                _collectors.Add(name, new Collector(name, info.NodeName));
                anyAdded = true;
            }
        }

        _collectorsChanged = true;
        return true;
    }

    /// <summary>The hashes of the targets <paramref name="collector"/> owns in <paramref name="job"/>.</summary>
    public IEnumerable<TargetItem> TargetsFor(string job, string collector)
    {
        if (_jobs.TryGetValue(job, out var state) && state.ByCollector.TryGetValue(collector, out var hashes))
        {
            foreach (var hash in hashes)
            {
                yield return _targets[hash].Item;
            }
        }
    }

    public int TargetCountOfJob(string job) => _jobs.TryGetValue(job, out var s) ? s.Hashes.Count : 0;

    /// <summary>Where a target is and why: its collector, or the reason it has none.</summary>
    public (string? Collector, string? UnassignedReason)? Locate(ulong hash) =>
        _targets.TryGetValue(hash, out var e) ? (e.Collector, e.UnassignedReason) : null;

    public IEnumerable<(TargetItem Item, string? Collector)> AllTargets() =>
        _targets.Values.Select(e => (e.Item, e.Collector));

    /// <summary>Takes the set of changes since the last call.</summary>
    public AllocationChanges DrainChanges()
    {
        var changes = new AllocationChanges(
            [.. _dirtyPairs],
            [.. _dirtyJobs],
            _collectorsChanged)
        {
            Moves = [.. _moves],
        };
        Array.Clear(_moves);
        _dirtyPairs.Clear();
        _dirtyJobs.Clear();
        _collectorsChanged = false;
        return changes;
    }

    private void ReassignAll(Dictionary<string, MoveReason>? lost, MoveReason reasonForLiveOwner)
    {
        if (_targets.Count == 0)
        {
            return;
        }

        // A fixed processing order (by identity) makes order-sensitive strategies give the same answer in every
        // replica and every run; upstream walks a Go map (spec §11 Q10).
        var hashes = new ulong[_targets.Count];
        _targets.Keys.CopyTo(hashes, 0);
        Array.Sort(hashes);
        foreach (var hash in hashes)
        {
            var entry = _targets[hash];
            var lostFrom = entry.LostFrom;
            entry.LostFrom = null;
            if (_collectors.Count == 0)
            {
                entry.UnassignedReason = NoCollectorsReason;
                continue;
            }

            var previous = entry.Collector ?? lostFrom;
            var owner = _strategy.Assign(entry.Item, entry.Collector, _collectors, out var reason);
            if (owner is not null && owner == entry.Collector)
            {
                continue;
            }

            Unassign(hash, entry);
            if (entry.Collector is null && entry.UnassignedReason is null)
            {
                _unassigned++;
            }

            AssignTo(hash, entry, owner, reason);
            if (owner is not null && previous is not null && owner != previous)
            {
                var why = lostFrom is not null && lost is not null && lost.TryGetValue(lostFrom, out var r) ? r : reasonForLiveOwner;
                _moves[(int)why]++;
                _movedTotal[(int)why]++;
            }
        }
    }

    /// <summary>Gives an unassigned entry (counted in <see cref="_unassigned"/>) to <paramref name="owner"/>, if any.</summary>
    private void AssignTo(ulong hash, Entry entry, string? owner, string? reason)
    {
        if (owner is null)
        {
            entry.UnassignedReason = reason ?? "the strategy found no collector";
            return;
        }

        _unassigned--;
        entry.UnassignedReason = null;
        entry.Collector = owner;
        var job = entry.Item.JobName;
        _collectors[owner].Add(job);
        _jobs[job].AddToCollector(owner, hash);
        _dirtyPairs.Add((job, owner));
    }

    /// <summary>Takes the target from its collector, or forgets that it was unassigned; either way it is no longer counted.</summary>
    private void Unassign(ulong hash, Entry entry)
    {
        if (entry.Collector is null)
        {
            if (entry.UnassignedReason is not null)
            {
                _unassigned--;
                entry.UnassignedReason = null;
            }

            return;
        }

        var job = entry.Item.JobName;
        if (_collectors.TryGetValue(entry.Collector, out var collector))
        {
            collector.Remove(job);
        }

        _jobs[job].RemoveFromCollector(entry.Collector, hash);
        _dirtyPairs.Add((job, entry.Collector));
        entry.Collector = null;
    }

    private sealed class Entry(TargetItem item)
    {
        public TargetItem Item { get; set; } = item;

        public string? Collector { get; set; }

        public string? UnassignedReason { get; set; }

        /// <summary>The collector that left while owning this target, until the re-assignment that follows.</summary>
        public string? LostFrom { get; set; }
    }

    private sealed class JobState
    {
        public HashSet<ulong> Hashes { get; } = [];

        public Dictionary<string, HashSet<ulong>> ByCollector { get; } = new(StringComparer.Ordinal);

        public void AddToCollector(string collector, ulong hash)
        {
            if (!ByCollector.TryGetValue(collector, out var set))
            {
                set = [];
                ByCollector.Add(collector, set);
            }

            set.Add(hash);
        }

        public void RemoveFromCollector(string collector, ulong hash)
        {
            if (ByCollector.TryGetValue(collector, out var set) && set.Remove(hash) && set.Count == 0)
            {
                ByCollector.Remove(collector);
            }
        }
    }
}
