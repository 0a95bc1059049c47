namespace Quartermaster.Core.Allocation;

/// <summary>A collector that targets can be assigned to: its id (pod name) and the node it runs on.</summary>
public sealed record CollectorInfo(string Name, string NodeName = "");

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
        _targetsPerJob[job] = _targetsPerJob.GetValueOrDefault(job) + 1;
    }

    internal void Remove(string job)
    {
        NumTargets--;
        var left = _targetsPerJob.GetValueOrDefault(job) - 1;
        if (left <= 0)
        {
            _targetsPerJob.Remove(job);
        }
        else
        {
            _targetsPerJob[job] = left;
        }
    }
}
