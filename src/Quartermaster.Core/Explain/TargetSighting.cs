using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Explain;

/// <summary>One discovered target that matched: where it came from, what relabeling did, and where it went.</summary>
public sealed class TargetSighting
{
    public required string Job { get; init; }

    /// <summary>The discovery source: <c>static</c>, <c>file_sd/0</c>, <c>http_sd/1</c>, <c>kubernetes_sd/0</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The target group's source within that discovery source (a file and index, a URL, an object key).</summary>
    public required string Group { get; init; }

    /// <summary>The discovered <c>__address__</c>.</summary>
    public required string Address { get; init; }

    /// <summary>The discovered labels (group and target merged), before relabeling.</summary>
    public required Label[] DiscoveredLabels { get; init; }

    /// <summary>The relabeling, rule by rule, with the verdict and for a kept target its labels and identity.</summary>
    public required FilterTrace Relabel { get; init; }

    /// <summary>The action of the rule that dropped the target, or null.</summary>
    public string? DroppedByAction { get; init; }

    /// <summary>The identity hash as 16 hex digits, for a kept target.</summary>
    public string? Identity => Relabel.Kept ? Relabel.Hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Other targets of the job with the same identity, when any: they are one target, the last one wins.</summary>
    public TargetCollision? Collision { get; init; }

    /// <summary>The strategy's decision for a kept target.</summary>
    public AllocationDecision? Allocation { get; init; }

    /// <summary>
    /// For a kept target whose job needs credentials that <c>/scrape_configs</c> withholds over plain HTTP: why the
    /// collector's scrape of it will fail authentication; otherwise null.
    /// </summary>
    public string? SecretsWithheld { get; init; }

    /// <summary>The owning collector's last poll of the job, for an assigned target.</summary>
    public PollStatus? LastPoll { get; init; }
}
