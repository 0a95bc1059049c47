using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Targets;

/// <summary>
/// What <see cref="TargetFilter.Trace"/> saw for one target: the input after seeding, each rule's effect, the verdict,
/// and for a kept target the post-relabel labels and identity hash.
/// </summary>
public sealed class FilterTrace
{
    internal FilterTrace(
        Label[] input, IReadOnlyList<Label> seeded, IReadOnlyList<RelabelStep> compiledSteps, int jobRuleCount, bool kept,
        int droppedByRule, Label[]? output, ulong hash)
    {
        Input = input;
        Seeded = seeded;
        Kept = kept;
        DroppedByRule = droppedByRule;
        Output = output;
        Hash = hash;
        var steps = new List<TracedRule>(compiledSteps.Count);
        foreach (var step in compiledSteps)
        {
            // The compiled list is [__tmp_disable_sharding prelude, the job's rules..., its labeldrop].
            var ruleIndex = step.Index - 1;
            var note = ruleIndex < 0 ? "added by the allocator: sets " + TargetFilter.DisableShardingLabel + " so sharding rules keep the target"
                : ruleIndex >= jobRuleCount ? "added by the allocator: removes " + TargetFilter.DisableShardingLabel
                : null;
            steps.Add(new TracedRule(ruleIndex, note, step));
        }

        Steps = steps;
    }

    /// <summary>The merged discovered labels plus the seeded scrape settings, sorted: the first rule's input.</summary>
    public Label[] Input { get; }

    /// <summary>The scrape settings seeded because the target did not carry them (<c>job</c>, <c>__scheme__</c>, ...).</summary>
    public IReadOnlyList<Label> Seeded { get; }

    /// <summary>Every rule applied, in order, up to and including the one that dropped the target.</summary>
    public IReadOnlyList<TracedRule> Steps { get; }

    public bool Kept { get; }

    /// <summary>The index in the job's own <c>relabel_configs</c> of the rule that dropped the target, or -1.</summary>
    public int DroppedByRule { get; }

    /// <summary>The post-relabel labels of a kept target; null when dropped.</summary>
    public Label[]? Output { get; }

    /// <summary>The identity hash of a kept target; 0 when dropped.</summary>
    public ulong Hash { get; }
}
