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
    private readonly Dictionary<string, Collector> _collectors = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Entry> _targets = [];
    private readonly Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<(string Job, string Collector)> _dirtyPairs = [];
    private readonly HashSet<string> _dirtyJobs = new(StringComparer.Ordinal);
    private IAllocationStrategy _strategy;
    private bool _collectorsChanged;
    private int _unassigned;

    public Allocator(IAllocationStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        _strategy = strategy;
    }

    public IAllocationStrategy Strategy => _strategy;

    public IReadOnlyDictionary<string, Collector> Collectors => _collectors;

    public int TargetCount => _targets.Count;

    public int UnassignedCount => _unassigned;

    public IEnumerable<string> Jobs => _jobs.Keys;

    /// <summary>Replaces the strategy and re-assigns every target under it.</summary>
    public void SetStrategy(IAllocationStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        _strategy = strategy;
        _strategy.SetCollectors(_collectors);
        ReassignAll();
    }

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

        foreach (var item in items)
        {
            if (_targets.TryGetValue(item.Hash, out var existing))
            {
                // Same identity: serve the fresh labels without moving the target (upstream #4839).
                if (!existing.Item.ServesSameAs(item))
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
            changed = true;
            if (_collectors.Count > 0)
            {
                AssignTo(item.Hash, entry, _strategy.Assign(item, null, _collectors, out var reason), reason);
            }
            else
            {
                entry.UnassignedReason = "no collectors are registered";
                _unassigned++;
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

    /// <summary>Replaces the collector set. Returns whether anything changed.</summary>
    public bool SetCollectors(IEnumerable<CollectorInfo> collectors)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        var wanted = new Dictionary<string, CollectorInfo>(StringComparer.Ordinal);
        foreach (var c in collectors)
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

        var removed = _collectors.Keys.Where(n => !wanted.TryGetValue(n, out var w) || w.NodeName != _collectors[n].NodeName).ToList();
        foreach (var name in removed)
        {
            _collectors.Remove(name);
        }

        if (removed.Count > 0)
        {
            var removedSet = removed.ToHashSet(StringComparer.Ordinal);
            foreach (var (hash, entry) in _targets)
            {
                if (entry.Collector is not null && removedSet.Contains(entry.Collector))
                {
                    _dirtyPairs.Add((entry.Item.JobName, entry.Collector));
                    var jobState = _jobs[entry.Item.JobName];
                    jobState.RemoveFromCollector(entry.Collector, hash);
                    entry.Collector = null;
                    entry.UnassignedReason = "its collector was removed";
                    _unassigned++;
                }
            }
        }

        foreach (var (name, info) in wanted)
        {
            if (!_collectors.ContainsKey(name))
            {
                _collectors.Add(name, new Collector(name, info.NodeName));
            }
        }

        _collectorsChanged = true;
        _strategy.SetCollectors(_collectors);
        ReassignAll();
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
            _collectorsChanged);
        _dirtyPairs.Clear();
        _dirtyJobs.Clear();
        _collectorsChanged = false;
        return changes;
    }

    private void ReassignAll()
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
            if (_collectors.Count == 0)
            {
                continue;
            }

            var owner = _strategy.Assign(entry.Item, entry.Collector, _collectors, out var reason);
            if (owner == entry.Collector && owner is not null)
            {
                continue;
            }

            Unassign(hash, entry);
            AssignTo(hash, entry, owner, reason);
        }
    }

    private void AssignTo(ulong hash, Entry entry, string? owner, string? reason)
    {
        if (owner is null)
        {
            if (entry.UnassignedReason is null)
            {
                _unassigned++;
            }

            entry.UnassignedReason = reason ?? "the strategy found no collector";
            return;
        }

        if (entry.UnassignedReason is not null)
        {
            _unassigned--;
            entry.UnassignedReason = null;
        }

        entry.Collector = owner;
        var job = entry.Item.JobName;
        _collectors[owner].Add(job);
        _jobs[job].AddToCollector(owner, hash);
        _dirtyPairs.Add((job, owner));
    }

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

/// <summary>What changed in the allocation since the last drain.</summary>
public sealed record AllocationChanges(
    IReadOnlyList<(string Job, string Collector)> DirtyPairs,
    IReadOnlyList<string> DirtyJobs,
    bool CollectorsChanged)
{
    public bool IsEmpty => DirtyPairs.Count == 0 && DirtyJobs.Count == 0 && !CollectorsChanged;
}
