namespace Quartermaster.Core.Allocation;

/// <summary>
/// A collector as its source reports it: id (pod name), node, and readiness. Sources fill fields only; the
/// <see cref="Allocator"/> decides, with <c>collector_not_ready_grace_period</c>, whether it can take targets.
/// </summary>
public sealed record CollectorInfo(string Name, string NodeName = "")
{
    /// <summary>False while the collector is not running or not ready (Kubernetes: phase or the Ready condition).</summary>
    public bool Ready { get; init; } = true;

    /// <summary>
    /// When the collector became not ready (Kubernetes: <c>lastTransitionTime</c> of the Ready condition, or
    /// <c>status.startTime</c> while the pod is not running); <c>null</c> means "from when the allocator first saw it".
    /// </summary>
    public DateTimeOffset? NotReadySince { get; init; }
}

/// <summary>A live collector with its assignment counter, owned by the <see cref="Allocator"/>.</summary>
public sealed class Collector
{
    private readonly Allocator _allocator;

    internal Collector(Allocator allocator, string name, string nodeName, int slot)
    {
        _allocator = allocator;
        Name = name;
        NodeName = nodeName;
        Slot = slot;
    }

    public string Name { get; }

    public string NodeName { get; }

    public int NumTargets { get; internal set; }

    /// <summary>Targets per job on this collector, computed on each call (diagnostics and tests; not for hot paths).</summary>
    public IReadOnlyDictionary<string, int> TargetsPerJob => _allocator.TargetsPerJobOf(this);

    /// <summary>
    /// This collector's index in the allocator's per-job tables: dense, stable while the collector lives, and reused
    /// only after the changes of the collector that held it were drained.
    /// </summary>
    internal int Slot { get; }

    public int TargetsOfJob(string job) => _allocator.TargetsOfJobOn(job, this);
}
