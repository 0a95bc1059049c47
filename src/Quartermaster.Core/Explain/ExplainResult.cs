namespace Quartermaster.Core.Explain;

/// <summary>Everything explain found for one <see cref="ExplainQuery"/>, read from one consistent pipeline state.</summary>
public sealed class ExplainResult
{
    /// <summary>At most this many matching targets are explained; the rest are only counted.</summary>
    public const int MaxSightings = 50;

    public required ExplainQuery Query { get; init; }

    /// <summary>The allocation strategy in use.</summary>
    public required string Strategy { get; init; }

    /// <summary>The generation of the snapshot being served when the answer was made.</summary>
    public required long Generation { get; init; }

    /// <summary>Every place a matching target was discovered (job, source, group), up to <see cref="MaxSightings"/>.</summary>
    public required IReadOnlyList<TargetSighting> Sightings { get; init; }

    /// <summary>How many discovered targets matched, including those beyond <see cref="MaxSightings"/>.</summary>
    public required int Matches { get; init; }

    /// <summary>When nothing matched: the jobs considered and whether each could have discovered the target.</summary>
    public required IReadOnlyList<CandidateJob> CandidateJobs { get; init; }

    /// <summary>Collector ids that polled (one of) the jobs concerned but match no collector; they are served <c>[]</c>.</summary>
    public required IReadOnlyList<UnknownCollectorPoll> UnknownCollectors { get; init; }

    /// <summary>When nothing matched: reasons outside the jobs, such as an unset Prometheus Operator selector.</summary>
    public IReadOnlyList<string> DiscoveryNotes { get; init; } = [];

    /// <summary>When <see cref="ExplainQuery.Job"/> names no configured job: says so; otherwise null.</summary>
    public string? UnknownJob { get; init; }

    public bool Found => Sightings.Count > 0;

    /// <summary>One line for a target that was not found: what was looked for, and the candidate jobs.</summary>
    public string NotFoundMessage()
    {
        var message = "not found: " + Query;
        if (UnknownJob is not null)
        {
            return message + "; " + UnknownJob;
        }

        var could = CandidateJobs.Where(c => c.CouldHaveFound).Select(c => c.Job).ToList();
        return could.Count == 0
            ? message + "; no configured job could have discovered it"
            : message + $"; never discovered, jobs that could have found it: {string.Join(", ", could)}";
    }
}
