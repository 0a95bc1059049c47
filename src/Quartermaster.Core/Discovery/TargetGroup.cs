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
}
