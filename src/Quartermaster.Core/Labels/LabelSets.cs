namespace Quartermaster.Core.Labels;

/// <summary>Operations on label arrays sorted by name in Go's order (UTF-8 bytes, <see cref="LabelNames.Compare"/>).</summary>
public static class LabelSets
{
    /// <summary>Index of <paramref name="name"/> in a sorted label array, or a negative number.</summary>
    public static int IndexOf(ReadOnlySpan<Label> sorted, string name)
    {
        int lo = 0, hi = sorted.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = LabelNames.Compare(sorted[mid].Name, name);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>
    /// Merges group labels and a target's labels into one sorted array; on a name collision the target label wins,
    /// empty values included (spec upstream-ta.md §3.1 step 2).
    /// </summary>
    public static Label[] Merge(ReadOnlySpan<Label> groupLabels, ReadOnlySpan<Label> targetLabels)
    {
        if (groupLabels.IsEmpty)
        {
            return targetLabels.ToArray();
        }

        var result = new Label[groupLabels.Length + targetLabels.Length];
        int g = 0, t = 0, n = 0;
        while (g < groupLabels.Length && t < targetLabels.Length)
        {
            var c = LabelNames.Compare(groupLabels[g].Name, targetLabels[t].Name);
            if (c < 0)
            {
                result[n++] = groupLabels[g++];
            }
            else if (c > 0)
            {
                result[n++] = targetLabels[t++];
            }
            else
            {
                result[n++] = targetLabels[t++];
                g++;
            }
        }

        while (g < groupLabels.Length)
        {
            result[n++] = groupLabels[g++];
        }

        while (t < targetLabels.Length)
        {
            result[n++] = targetLabels[t++];
        }

        return n == result.Length ? result : result.AsSpan(0, n).ToArray();
    }

    /// <summary>
    /// Merges into <paramref name="destination"/> (at least as long as both inputs together) and returns the count,
    /// with the same rules as <see cref="Merge"/>. Allocates nothing.
    /// </summary>
    public static int MergeInto(Span<Label> destination, ReadOnlySpan<Label> groupLabels, ReadOnlySpan<Label> targetLabels)
    {
        int g = 0, t = 0, n = 0;
        while (g < groupLabels.Length && t < targetLabels.Length)
        {
            var c = LabelNames.Compare(groupLabels[g].Name, targetLabels[t].Name);
            if (c < 0)
            {
                destination[n++] = groupLabels[g++];
            }
            else
            {
                if (c == 0)
                {
                    g++;
                }

                destination[n++] = targetLabels[t++];
            }
        }

        while (g < groupLabels.Length)
        {
            destination[n++] = groupLabels[g++];
        }

        while (t < targetLabels.Length)
        {
            destination[n++] = targetLabels[t++];
        }

        return n;
    }

    /// <summary>Sorts labels by name and keeps the last value of a repeated name.</summary>
    public static Label[] FromUnsorted(IEnumerable<Label> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var list = new List<Label>(labels);
        var stable = new Label[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            stable[i] = list[i];
        }

        // Stable sort by name so the last duplicate can be kept deterministically.
        var order = Enumerable.Range(0, stable.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = LabelNames.Compare(stable[a].Name, stable[b].Name);
            return c != 0 ? c : a.CompareTo(b);
        });
        var result = new List<Label>(stable.Length);
        foreach (var i in order)
        {
            if (result.Count > 0 && result[^1].Name == stable[i].Name)
            {
                result[^1] = stable[i];
            }
            else
            {
                result.Add(stable[i]);
            }
        }

        return [.. result];
    }
}
