using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Relabeling;

/// <summary>One label a rule changed: <see cref="Old"/> is null when it was added, <see cref="New"/> when removed.</summary>
public sealed record LabelChange(string Name, string? Old, string? New)
{
    /// <summary>The differences from <paramref name="before"/> to <paramref name="after"/>, both sorted by name.</summary>
    public static IReadOnlyList<LabelChange> Between(ReadOnlySpan<Label> before, ReadOnlySpan<Label> after)
    {
        var changes = new List<LabelChange>();
        int i = 0, j = 0;
        while (i < before.Length || j < after.Length)
        {
            var c = i == before.Length ? 1 : j == after.Length ? -1 : LabelNames.Compare(before[i].Name, after[j].Name);
            if (c < 0)
            {
                changes.Add(new LabelChange(before[i].Name, before[i].Value, null));
                i++;
            }
            else if (c > 0)
            {
                changes.Add(new LabelChange(after[j].Name, null, after[j].Value));
                j++;
            }
            else
            {
                if (!string.Equals(before[i].Value, after[j].Value, StringComparison.Ordinal))
                {
                    changes.Add(new LabelChange(before[i].Name, before[i].Value, after[j].Value));
                }

                i++;
                j++;
            }
        }

        return changes;
    }
}
