using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Discovery;

/// <summary>
/// Remembers what a provider last published, so each refresh publishes only the groups that changed and an
/// empty group for every source that vanished.
/// </summary>
internal sealed class GroupTracker
{
    private Dictionary<string, TargetGroup> _published = new(StringComparer.Ordinal);
    private bool _publishedOnce;

    /// <summary>
    /// Replaces the tracked state with <paramref name="current"/> (the complete set of groups) and returns the
    /// changes, or <c>null</c> when nothing changed. The first call always returns a list, possibly empty.
    /// </summary>
    public List<TargetGroup>? Update(IEnumerable<TargetGroup> current)
    {
        var next = new Dictionary<string, TargetGroup>(StringComparer.Ordinal);
        var changes = new List<TargetGroup>();
        foreach (var group in current)
        {
            // A group without targets is a deletion in the consumer, so it is not tracked as present.
            if (group.Targets.Count == 0)
            {
                continue;
            }

            if (_published.TryGetValue(group.Source, out var previous) && (ReferenceEquals(previous, group) || SameGroup(previous, group)))
            {
                // Keep the instance the consumer already holds, so the fresh parse of an unchanged group is garbage
                // rather than a second live copy of its labels.
                next[group.Source] = previous;
                continue;
            }

            next[group.Source] = group;
            changes.Add(group);
        }

        foreach (var source in _published.Keys)
        {
            if (!next.ContainsKey(source))
            {
                changes.Add(TargetGroup.Empty(source));
            }
        }

        _published = next;
        if (!_publishedOnce)
        {
            _publishedOnce = true;
            return changes;
        }

        return changes.Count == 0 ? null : changes;
    }

    /// <summary>The instance tracked for <paramref name="group"/>'s source when it is the same group, else the group itself.</summary>
    public TargetGroup Tracked(TargetGroup group) =>
        _published.TryGetValue(group.Source, out var tracked) && (ReferenceEquals(tracked, group) || SameGroup(tracked, group)) ? tracked : group;

    internal static bool SameGroup(TargetGroup a, TargetGroup b)
    {
        if (!string.Equals(a.Source, b.Source, StringComparison.Ordinal)
            || !SameLabels(a.Labels, b.Labels)
            || a.Targets.Count != b.Targets.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Targets.Count; i++)
        {
            if (!SameLabels(a.Targets[i], b.Targets[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameLabels(Label[] a, Label[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i].Name, b[i].Name, StringComparison.Ordinal)
                || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
