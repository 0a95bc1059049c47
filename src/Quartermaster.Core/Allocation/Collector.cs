using System.Runtime.InteropServices;

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

/// <summary>A live collector with its assignment counters, owned by the <see cref="Allocator"/>.</summary>
public sealed class Collector
{
    private readonly Dictionary<string, int> _targetsPerJob = new(StringComparer.Ordinal);

    public Collector(string name, string nodeName)
    {
        Name = name;
        NodeName = nodeName;
    }

    public string Name { get; }

    public string NodeName { get; }

    public int NumTargets { get; private set; }

    public IReadOnlyDictionary<string, int> TargetsPerJob => _targetsPerJob;

    public int TargetsOfJob(string job) => _targetsPerJob.GetValueOrDefault(job);

    internal void Add(string job)
    {
        NumTargets++;
        CollectionsMarshal.GetValueRefOrAddDefault(_targetsPerJob, job, out _)++;
    }

    internal void Remove(string job)
    {
        NumTargets--;
        if (_targetsPerJob.TryGetValue(job, out var count))
        {
            if (count <= 1)
            {
                _targetsPerJob.Remove(job);
            }
            else
            {
                _targetsPerJob[job] = count - 1;
            }
        }
    }
}
