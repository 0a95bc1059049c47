using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Discovery;

/// <summary>
/// A Prometheus target group as a discovery source reports it: targets (each at least <c>__address__</c>),
/// labels common to the group, and the source key that identifies the group within its provider.
/// </summary>
/// <remarks>
/// A group with no targets tells the consumer that the group with that <see cref="Source"/> is gone.
/// Label arrays are sorted by name (ordinal) and hold no duplicate names; values may be empty.
/// </remarks>
public sealed class TargetGroup
{
    public TargetGroup(string source, IReadOnlyList<Label[]> targets, Label[] labels)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(labels);
        Source = source;
        Targets = targets;
        Labels = labels;
    }

    public string Source { get; }

    /// <summary>Each target's own labels, sorted by name.</summary>
    public IReadOnlyList<Label[]> Targets { get; }

    /// <summary>Labels shared by every target of the group, sorted by name; a target's own label wins.</summary>
    public Label[] Labels { get; }

    public static TargetGroup Empty(string source) => new(source, [], []);

    /// <summary>
    /// Whether <paramref name="other"/> has the same source, labels and targets, in the same order: a discovery source
    /// that re-reads what it reported before (a rewritten file, a resync) produces new objects with equal content.
    /// </summary>
    public bool HasSameContent(TargetGroup other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (!string.Equals(Source, other.Source, StringComparison.Ordinal) || Targets.Count != other.Targets.Count
            || !Labels.AsSpan().SequenceEqual(other.Labels))
        {
            return false;
        }

        for (var i = 0; i < Targets.Count; i++)
        {
            if (!Targets[i].AsSpan().SequenceEqual(other.Targets[i]))
            {
                return false;
            }
        }

        return true;
    }
}
