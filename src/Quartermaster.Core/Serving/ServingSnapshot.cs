using System.Collections.Frozen;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Serving;

/// <summary>
/// Everything the API serves, as bytes, at one instant. Immutable: the pipeline builds a new one per change and
/// swaps it in atomically, so a request never waits for allocation and never sees half an update.
/// </summary>
public sealed class ServingSnapshot
{
    public static readonly byte[] EmptyTargets = "[]\n"u8.ToArray();

    public static readonly ServingSnapshot Initial = new(
        0, null, null, "{}\n"u8.ToArray(), FrozenDictionary<string, JobView>.Empty, [], 0, 0, null,
        FrozenDictionary<string, int>.Empty, FrozenDictionary<string, JobStats>.Empty, FrozenDictionary<string, IReadOnlyList<DroppedTarget>>.Empty);

    public ServingSnapshot(
        long generation,
        byte[]? scrapeConfigsRedacted,
        byte[]? scrapeConfigsWithSecrets,
        byte[] jobsJson,
        FrozenDictionary<string, JobView> jobs,
        IReadOnlyList<string> collectors,
        int targetCount,
        int unassignedCount,
        string? configVersion,
        FrozenDictionary<string, int> targetsPerCollector,
        FrozenDictionary<string, JobStats> jobStats,
        FrozenDictionary<string, IReadOnlyList<DroppedTarget>> droppedTargets)
    {
        DroppedTargets = droppedTargets;
        TargetsPerCollector = targetsPerCollector;
        JobStats = jobStats;
        Generation = generation;
        ScrapeConfigsRedacted = scrapeConfigsRedacted;
        ScrapeConfigsWithSecrets = scrapeConfigsWithSecrets;
        JobsJson = jobsJson;
        Jobs = jobs;
        Collectors = collectors;
        TargetCount = targetCount;
        UnassignedCount = unassignedCount;
        ConfigVersion = configVersion;
    }

    /// <summary>Increases by one with every published snapshot.</summary>
    public long Generation { get; }

    /// <summary><c>/scrape_configs</c> with secrets as <c>&lt;secret&gt;</c>; <c>null</c> before the first config.</summary>
    public byte[]? ScrapeConfigsRedacted { get; }

    /// <summary><c>/scrape_configs</c> with secrets in clear, for the HTTPS listener or an explicit opt-in.</summary>
    public byte[]? ScrapeConfigsWithSecrets { get; }

    /// <summary>The <c>/jobs</c> body.</summary>
    public byte[] JobsJson { get; }

    public FrozenDictionary<string, JobView> Jobs { get; }

    /// <summary>Collector ids, sorted.</summary>
    public IReadOnlyList<string> Collectors { get; }

    public int TargetCount { get; }

    public int UnassignedCount { get; }

    /// <summary>A short hash of the applied configuration, or <c>null</c> before the first one.</summary>
    public string? ConfigVersion { get; }

    /// <summary>Assigned targets per collector, every collector included.</summary>
    public FrozenDictionary<string, int> TargetsPerCollector { get; }

    /// <summary>Per configured job: targets discovered, kept after relabeling, and collapsed as duplicates.</summary>
    public FrozenDictionary<string, JobStats> JobStats { get; }

    /// <summary>Per job, the first targets relabeling dropped (bounded per job), for explaining them.</summary>
    public FrozenDictionary<string, IReadOnlyList<DroppedTarget>> DroppedTargets { get; }

    /// <summary>
    /// No collector can take targets: every body is <c>[]</c> while targets are kept and will be assigned when one
    /// arrives. Not a readiness failure; status pages and <c>/readyz</c> detail show it.
    /// </summary>
    public bool NoCollectors => Collectors.Count == 0;

    /// <summary>The node of each collector; empty when a collector reports none.</summary>
    public FrozenDictionary<string, string> CollectorNodes { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Reported collectors left out of allocation because they stayed not ready past the grace period.</summary>
    public IReadOnlyList<string> NotReadyCollectors { get; init; } = [];

    /// <summary>Ready once a configuration has been applied (upstream: the scrape-config response exists).</summary>
    public bool IsReady => ScrapeConfigsRedacted is not null;

    /// <summary>A copy of the <c>/jobs/{job}/targets?collector_id=</c> JSON, <c>[]</c> when unknown.</summary>
    public byte[] TargetsFor(string job, string collectorId) => StoredTargetsFor(job, collectorId).ToPlainArray();

    /// <summary>The body as stored, what the API serves: JSON, or gzip when bodies are kept compressed.</summary>
    public StoredBody StoredTargetsFor(string job, string collectorId) =>
        Jobs.TryGetValue(job, out var view) && view.ByCollector.TryGetValue(collectorId, out var body)
            ? body
            : StoredBody.Empty;
}

/// <summary>The served bytes of one job.</summary>
public sealed class JobView
{
    private readonly Func<byte[]> _buildCollectorMap;
    private byte[]? _collectorMap;
    private FrozenDictionary<ulong, (TargetItem Item, string? Collector)>? _byHash;

    public JobView(
        string job,
        int targetCount,
        IReadOnlyDictionary<string, StoredBody> byCollector,
        Func<byte[]> buildCollectorMap,
        IReadOnlyDictionary<string, TargetItem[]>? itemsByCollector = null,
        IReadOnlyList<UnassignedTarget>? unassigned = null)
    {
        Job = job;
        TargetCount = targetCount;
        ByCollector = byCollector;
        _buildCollectorMap = buildCollectorMap;
        ItemsByCollector = itemsByCollector ?? FrozenDictionary<string, TargetItem[]>.Empty;
        Unassigned = unassigned ?? [];
    }

    public string Job { get; }

    public int TargetCount { get; }

    /// <summary>
    /// Per collector: the http_sd array of its targets in this job, ending in a newline; gzip-compressed when bodies
    /// are kept compressed (<see cref="StoredBody.Plain"/> gives the JSON either way).
    /// </summary>
    public IReadOnlyDictionary<string, StoredBody> ByCollector { get; }

    /// <summary>The <c>/jobs/{job}/targets</c> body without <c>collector_id</c>; built on first use, then kept.</summary>
    public byte[] CollectorMap => _collectorMap ??= _buildCollectorMap();

    /// <summary>Per collector: the same targets as <see cref="ByCollector"/>, as items in served order.</summary>
    public IReadOnlyDictionary<string, TargetItem[]> ItemsByCollector { get; }

    /// <summary>The job's targets no collector owns, with the reason.</summary>
    public IReadOnlyList<UnassignedTarget> Unassigned { get; }

    /// <summary>Finds a target of this job by identity hash; the index is built on first use, then kept.</summary>
    public bool TryFind(ulong hash, out TargetItem item, out string? collector)
    {
        var index = _byHash ??= BuildHashIndex();
        if (index.TryGetValue(hash, out var found))
        {
            (item, collector) = found;
            return true;
        }

        item = null!;
        collector = null;
        return false;
    }

    private FrozenDictionary<ulong, (TargetItem Item, string? Collector)> BuildHashIndex()
    {
        var index = new Dictionary<ulong, (TargetItem, string?)>(TargetCount);
        foreach (var (collector, items) in ItemsByCollector)
        {
            foreach (var item in items)
            {
                index[item.Hash] = (item, collector);
            }
        }

        foreach (var u in Unassigned)
        {
            index[u.Item.Hash] = (u.Item, null);
        }

        return index.ToFrozenDictionary();
    }
}

/// <summary>A kept target that no collector owns, and why.</summary>
public sealed record UnassignedTarget(TargetItem Item, string Reason);

/// <summary>Discovery and filtering figures of one job.</summary>
public readonly record struct JobStats(int Discovered, int Kept, int Duplicates, int Dropped = 0);

/// <summary>A target that relabeling dropped: its pre-relabel labels and the index of the rule that dropped it.</summary>
public sealed record DroppedTarget(Labels.Label[] Labels, int RuleIndex)
{
    public static bool SequenceEqual(IReadOnlyList<DroppedTarget> a, IReadOnlyList<DroppedTarget> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].RuleIndex != b[i].RuleIndex || !a[i].Labels.AsSpan().SequenceEqual(b[i].Labels))
            {
                return false;
            }
        }

        return true;
    }
}
