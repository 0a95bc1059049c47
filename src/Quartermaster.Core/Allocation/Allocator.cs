using System.Runtime.InteropServices;
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
    private readonly Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
    private readonly List<(JobState Job, Collector Collector)> _dirtyPairs = [];

    // A job removed and added again before a drain has two states, so its pairs may be listed twice.
    private bool _jobRemoved;
    private readonly HashSet<string> _dirtyJobs = new(StringComparer.Ordinal);
    private readonly int[] _moves = new int[MoveReasons.Count];
    private readonly long[] _movedTotal = new long[MoveReasons.Count];
    private readonly CollectorSet _collectorSet;

    // Collector slots: free ones are reused; those of collectors removed since the last drain wait for the drain, so
    // a pending dirty pair never points at a slot that a new collector already uses.
    private readonly Stack<int> _freeSlots = new();
    private readonly List<int> _releasedSlots = [];
    private int _slotCount;
    private IReadOnlyList<CollectorInfo> _reported = [];
    private IReadOnlySet<string> _notReady = new HashSet<string>(StringComparer.Ordinal);
    private IAllocationStrategy _strategy;
    private bool _collectorsChanged;
    private int _targetCount;
    private int _unassigned;
    private int _stamp;

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

    public int TargetCount => _targetCount;

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

            state = new JobState(job, items.Count);
            _jobs.Add(job, state);
        }

        // Entries seen in this call carry the new stamp; the rest are the removed ones.
        var stamp = ++_stamp;
        var changed = false;
        var seen = 0;
        List<Entry>? added = null;
        foreach (var item in items)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(state.Entries, item.Hash, out var exists);
            if (exists)
            {
                var existing = slot!;
                if (existing.Stamp != stamp)
                {
                    existing.Stamp = stamp;
                    seen++;
                }

                // Same identity: serve the fresh labels without moving the target (upstream #4839).
                if (!ReferenceEquals(existing.Item, item) && !SameContent(existing.Item, item))
                {
                    existing.Item = item;
                    if (existing.Owner is { } owner)
                    {
                        MarkDirty(ref state.Slots[owner.Slot], state, owner);
                    }

                    changed = true;
                }
                else
                {
                    existing.Item = item;
                }

                continue;
            }

            var entry = new Entry(item, state) { Stamp = stamp };
            slot = entry;
            (added ??= []).Add(entry);
        }

        if (seen + (added?.Count ?? 0) != state.Entries.Count)
        {
            List<Entry>? removed = null;
            foreach (var entry in state.Entries.Values)
            {
                if (entry.Stamp != stamp)
                {
                    (removed ??= []).Add(entry);
                }
            }

            foreach (var entry in removed!)
            {
                Unassign(entry);
                ForgetUnassigned(entry);
                state.Entries.Remove(entry.Item.Hash);
                _targetCount--;
            }

            changed = true;
        }

        if (added is not null)
        {
            changed = true;
            _targetCount += added.Count;

            // Identity order, so order-sensitive strategies (least-weighted) give every replica the same answer
            // whatever order the items came in; upstream walks a Go map (spec §11 Q10).
            if (_strategy.IsOrderSensitive)
            {
                added.Sort(static (a, b) => a.Item.Hash.CompareTo(b.Item.Hash));
            }

            foreach (var entry in added)
            {
                if (_collectors.Count == 0)
                {
                    MarkUnassigned(entry, NoCollectorsReason);
                    continue;
                }

                var owner = _strategy.Assign(entry.Item, null, state, out var reason);
                if (owner is null)
                {
                    MarkUnassigned(entry, reason);
                }
                else
                {
                    AssignTo(entry, owner);
                }
            }
        }

        if (state.Entries.Count == 0)
        {
            _jobs.Remove(job);
            _jobRemoved = true;
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

    /// <summary>The targets <paramref name="collector"/> owns in <paramref name="job"/>, in no particular order.</summary>
    public IEnumerable<TargetItem> TargetsFor(string job, string collector) => TargetArrayFor(job, collector);

    /// <summary>The targets <paramref name="collector"/> owns in <paramref name="job"/> as a new array, in no particular order.</summary>
    public TargetItem[] TargetArrayFor(string job, string collector)
    {
        if (!_jobs.TryGetValue(job, out var state) || !_collectors.TryGetValue(collector, out var c)
            || c.Slot >= state.Slots.Length || state.Slots[c.Slot].Count == 0)
        {
            return [];
        }

        var result = new TargetItem[state.Slots[c.Slot].Count];
        var i = 0;
        for (var entry = state.Slots[c.Slot].Head; entry is not null; entry = entry.Next)
        {
            result[i++] = entry.Item;
        }

        return result;
    }

    /// <summary>The collectors that own at least one target of <paramref name="job"/>.</summary>
    public List<string> CollectorsOfJob(string job)
    {
        var owners = new List<string>();
        if (_jobs.TryGetValue(job, out var state))
        {
            foreach (var c in _collectors.Values)
            {
                if (state.TargetsOn(c) > 0)
                {
                    owners.Add(c.Name);
                }
            }
        }

        return owners;
    }

    public int TargetCountOfJob(string job) => _jobs.TryGetValue(job, out var s) ? s.Entries.Count : 0;

    /// <summary>Where a target is and why: its collector, or the reason it has none.</summary>
    public (string? Collector, string? UnassignedReason)? Locate(ulong hash)
    {
        foreach (var state in _jobs.Values)
        {
            if (state.Entries.TryGetValue(hash, out var e))
            {
                return (e.Owner?.Name, e.UnassignedReason);
            }
        }

        return null;
    }

    /// <summary>The targets of <paramref name="job"/> that no collector owns, with the reason.</summary>
    public IEnumerable<(TargetItem Item, string Reason)> UnassignedOf(string job)
    {
        if (_unassigned == 0 || !_jobs.TryGetValue(job, out var state))
        {
            yield break;
        }

        foreach (var entry in state.Entries.Values)
        {
            if (entry.UnassignedReason is { } reason)
            {
                yield return (entry.Item, reason);
            }
        }
    }

    /// <summary>
    /// The generation of the snapshot that the changes made from now on will first be served in; the pipeline sets it
    /// after each publish. Each assignment remembers it, so explain can tell whether a poll saw the target.
    /// </summary>
    public long ServingGeneration { get; set; } = 1;

    /// <summary>The kept target of <paramref name="job"/> with identity <paramref name="hash"/>: the item served, and where it is.</summary>
    public TargetPlacement? Find(string job, ulong hash)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!_jobs.TryGetValue(job, out var state) || !state.Entries.TryGetValue(hash, out var e))
        {
            return null;
        }

        return new TargetPlacement(e.Item, e.Owner?.Name, e.Owner?.NodeName, e.UnassignedReason, e.AssignedGeneration);
    }

    public IEnumerable<(TargetItem Item, string? Collector)> AllTargets() =>
        _jobs.Values.SelectMany(s => s.Entries.Values).Select(e => (e.Item, e.Owner?.Name));

    /// <summary>Takes the set of changes since the last call.</summary>
    public AllocationChanges DrainChanges()
    {
        // A pair is listed once per job state: its slot's dirty flag stays set until here.
        var pairs = new (string, string)[_dirtyPairs.Count];
        for (var i = 0; i < pairs.Length; i++)
        {
            var (job, collector) = _dirtyPairs[i];
            if (collector.Slot < job.Slots.Length)
            {
                job.Slots[collector.Slot].Dirty = false;
            }

            pairs[i] = (job.Name, collector.Name);
        }

        if (_jobRemoved)
        {
            pairs = [.. pairs.Distinct()];
            _jobRemoved = false;
        }

        var changes = new AllocationChanges(pairs, [.. _dirtyJobs], _collectorsChanged)
        {
            Moves = [.. _moves],
        };
        Array.Clear(_moves);
        _dirtyPairs.Clear();
        _dirtyJobs.Clear();
        _collectorsChanged = false;
        foreach (var slot in _releasedSlots)
        {
            _freeSlots.Push(slot);
        }

        _releasedSlots.Clear();
        return changes;
    }

    internal int TargetsOfJobOn(string job, Collector collector) =>
        _jobs.TryGetValue(job, out var state) ? state.TargetsOn(collector) : 0;

    internal Dictionary<string, int> TargetsPerJobOf(Collector collector)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!_collectors.TryGetValue(collector.Name, out var live) || !ReferenceEquals(live, collector))
        {
            return result;
        }

        foreach (var (name, state) in _jobs)
        {
            var count = state.TargetsOn(collector);
            if (count > 0)
            {
                result.Add(name, count);
            }
        }

        return result;
    }

    private static bool SameContent(TargetItem a, TargetItem b) => a.ServesSameAs(b);

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
        List<Collector>? leaving = null;
        foreach (var (name, collector) in _collectors)
        {
            if (!wanted.TryGetValue(name, out var w) || w.NodeName != collector.NodeName)
            {
                (lost ??= new(StringComparer.Ordinal))[name] = selection.NotReady.Contains(name)
                    ? MoveReason.CollectorNotReady
                    : MoveReason.CollectorRemoved;
                (leaving ??= []).Add(collector);
            }
        }

        if (leaving is not null)
        {
            foreach (var collector in leaving)
            {
                var reason = lost![collector.Name] == MoveReason.CollectorNotReady ? "its collector is not ready" : "its collector was removed";
                foreach (var state in _jobs.Values)
                {
                    if (collector.Slot >= state.Slots.Length)
                    {
                        continue;
                    }

                    var entry = state.Slots[collector.Slot].Head;
                    while (entry is not null)
                    {
                        var next = entry.Next;
                        Unassign(entry);
                        entry.LostFrom = collector.Name;
                        MarkUnassigned(entry, reason);
                        entry = next;
                    }
                }

                _collectors.Remove(collector.Name);
                _releasedSlots.Add(collector.Slot);
            }
        }

        foreach (var (name, info) in wanted)
        {
            if (!_collectors.ContainsKey(name))
            {
                var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotCount++;
                _collectors.Add(name, new Collector(this, name, info.NodeName, slot));
                anyAdded = true;
            }
        }

        _collectorsChanged = true;
        return true;
    }

    private void ReassignAll(Dictionary<string, MoveReason>? lost, MoveReason reasonForLiveOwner)
    {
        if (_targetCount == 0)
        {
            return;
        }

        if (_collectors.Count == 0)
        {
            foreach (var state in _jobs.Values)
            {
                foreach (var entry in state.Entries.Values)
                {
                    entry.LostFrom = null;
                    entry.UnassignedReason = NoCollectorsReason;
                }
            }

            return;
        }

        // First find what must change, reading only; then apply, asking again, because the answer of an
        // order-sensitive strategy (least-weighted) depends on what was assigned before. For those the order is the
        // identity order, so every replica and every run agree; upstream walks a Go map (spec §11 Q10).
        var pending = new List<Entry>();
        foreach (var state in _jobs.Values)
        {
            foreach (var entry in state.Entries.Values)
            {
                var current = entry.Owner;
                var owner = _strategy.Assign(entry.Item, current, state, out var reason);
                if (owner is not null && ReferenceEquals(owner, current))
                {
                    continue;
                }

                if (owner is null && current is null)
                {
                    entry.LostFrom = null;
                    entry.UnassignedReason = reason ?? "the strategy found no collector";
                    continue;
                }

                pending.Add(entry);
            }
        }

        if (_strategy.IsOrderSensitive)
        {
            pending.Sort(static (a, b) => a.Item.Hash.CompareTo(b.Item.Hash));
        }

        foreach (var entry in pending)
        {
            var previous = entry.Owner?.Name ?? entry.LostFrom;
            var lostFrom = entry.LostFrom;
            entry.LostFrom = null;
            var owner = _strategy.Assign(entry.Item, entry.Owner, entry.Job, out var reason);
            if (owner is not null && ReferenceEquals(owner, entry.Owner))
            {
                continue;
            }

            if (entry.Owner is not null)
            {
                Unassign(entry);
                MarkUnassigned(entry, reason);
            }

            if (owner is null)
            {
                entry.UnassignedReason = reason ?? "the strategy found no collector";
                continue;
            }

            AssignTo(entry, owner);
            if (previous is not null && owner.Name != previous)
            {
                var why = lostFrom is not null && lost is not null && lost.TryGetValue(lostFrom, out var r) ? r : reasonForLiveOwner;
                _moves[(int)why]++;
                _movedTotal[(int)why]++;
            }
        }
    }

    /// <summary>Records a target without a collector; it must not be counted as unassigned already.</summary>
    private void MarkUnassigned(Entry entry, string? reason)
    {
        if (entry.UnassignedReason is null)
        {
            _unassigned++;
        }

        entry.UnassignedReason = reason ?? "the strategy found no collector";
    }

    private void ForgetUnassigned(Entry entry)
    {
        if (entry.UnassignedReason is not null)
        {
            _unassigned--;
            entry.UnassignedReason = null;
        }
    }

    /// <summary>Records that the bytes of (<paramref name="state"/>, <paramref name="collector"/>) must be rebuilt.</summary>
    private void MarkDirty(ref CollectorSlot slot, JobState state, Collector collector)
    {
        if (!slot.Dirty)
        {
            slot.Dirty = true;
            _dirtyPairs.Add((state, collector));
        }
    }

    /// <summary>Gives a target with no collector to <paramref name="owner"/>.</summary>
    private void AssignTo(Entry entry, Collector owner)
    {
        ForgetUnassigned(entry);
        var state = entry.Job;
        owner.NumTargets++;
        ref var slot = ref state.SlotFor(owner, _slotCount);
        entry.Prev = null;
        entry.Next = slot.Head;
        if (slot.Head is not null)
        {
            slot.Head.Prev = entry;
        }

        slot.Head = entry;
        slot.Count++;
        MarkDirty(ref slot, state, owner);

        entry.Owner = owner;
        entry.AssignedGeneration = ServingGeneration;
    }

    /// <summary>Takes the target from its collector, if it has one; the caller decides what it is counted as next.</summary>
    private void Unassign(Entry entry)
    {
        if (entry.Owner is not { } owner)
        {
            return;
        }

        owner.NumTargets--;
        var state = entry.Job;
        ref var slot = ref state.Slots[owner.Slot];
        if (entry.Prev is null)
        {
            slot.Head = entry.Next;
        }
        else
        {
            entry.Prev.Next = entry.Next;
        }

        if (entry.Next is not null)
        {
            entry.Next.Prev = entry.Prev;
        }

        entry.Prev = null;
        entry.Next = null;
        slot.Count--;
        MarkDirty(ref slot, state, owner);

        entry.Owner = null;
    }

    private sealed class Entry(TargetItem item, JobState job)
    {
        public TargetItem Item { get; set; } = item;

        public JobState Job { get; } = job;

        public Collector? Owner { get; set; }

        /// <summary>Neighbours in the owner's list of this job's targets.</summary>
        public Entry? Prev { get; set; }

        public Entry? Next { get; set; }

        /// <summary>Non-null exactly while the target has no collector.</summary>
        public string? UnassignedReason { get; set; }

        /// <summary>The collector that left while owning this target, until the re-assignment that follows.</summary>
        public string? LostFrom { get; set; }

        public int Stamp { get; set; }

        /// <summary>The generation of the first snapshot serving the target on its current owner.</summary>
        public long AssignedGeneration { get; set; }
    }

    /// <summary>
    /// The targets of one job on one collector, the unit whose served bytes are rebuilt: an intrusive list, so
    /// assigning or removing a target allocates nothing.
    /// </summary>
    private struct CollectorSlot
    {
        public Entry? Head;
        public int Count;
        public bool Dirty;
    }

    private sealed class JobState(string name, int capacity) : IJobTargetCounts
    {
        public string Name { get; } = name;

        public Dictionary<ulong, Entry> Entries { get; } = new(capacity);

        /// <summary>Indexed by <see cref="Collector.Slot"/>; grown on demand.</summary>
        public CollectorSlot[] Slots { get; private set; } = [];

        public int TargetsOn(Collector collector) => collector.Slot < Slots.Length ? Slots[collector.Slot].Count : 0;

        public ref CollectorSlot SlotFor(Collector collector, int slotCount)
        {
            if (collector.Slot >= Slots.Length)
            {
                var slots = Slots;
                Array.Resize(ref slots, Math.Max(collector.Slot + 1, Math.Min(Math.Max(4, Slots.Length * 2), slotCount)));
                Slots = slots;
            }

            return ref Slots[collector.Slot];
        }
    }
}
