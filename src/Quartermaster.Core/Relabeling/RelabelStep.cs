using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Relabeling;

/// <summary>
/// One rule of a traced relabeling: its index in the compiled list, its action, the label set before and after it
/// (both sorted by name; <see cref="After"/> equals <see cref="Before"/> when the rule dropped the target), and
/// whether the target survived it.
/// </summary>
public sealed record RelabelStep(int Index, RelabelAction Action, Label[] Before, Label[] After, bool Kept)
{
    /// <summary>The YAML name of <see cref="Action"/>.</summary>
    public string ActionName => RelabelConfig.ActionName(Action);

    /// <summary>The labels this rule added, changed or removed, sorted by name.</summary>
    public IReadOnlyList<LabelChange> Changes() => LabelChange.Between(Before, After);
}
