using Quartermaster.Core.Labels;

namespace Quartermaster.Ui;

/// <summary>
/// The search box: <c>name=value</c> matches a label exactly; any other text matches, ignoring case, a part of the
/// address, job, collector, or any label value.
/// </summary>
internal sealed class TargetSearch
{
    private readonly string _text;
    private readonly string? _labelName;

    private TargetSearch(string text, string? labelName)
    {
        _text = text;
        _labelName = labelName;
    }

    /// <summary>Matches past this many are not counted, so a broad search costs at most one pass and stops early.</summary>
    public const int MaxCounted = 10_000;

    public static TargetSearch? Parse(string? query)
    {
        var q = query?.Trim();
        if (string.IsNullOrEmpty(q))
        {
            return null;
        }

        var eq = q.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0 && IsLabelName(q.AsSpan(0, eq)))
        {
            return new TargetSearch(q[(eq + 1)..], q[..eq]);
        }

        return new TargetSearch(q, null);
    }

    public bool Matches(in TargetRow row)
    {
        var item = row.Item;
        if (_labelName is not null)
        {
            return item.GetLabel(_labelName) == _text;
        }

        return Contains(item.TargetUrl) || Contains(item.JobName) || (row.Collector is { } c && Contains(c))
            || AnyValue(item.TargetLabels) || AnyValue(item.GroupLabels);
    }

    /// <summary>
    /// One pass over <paramref name="segments"/>: the rows of <paramref name="paging"/>'s window among those matching
    /// (all rows when <paramref name="search"/> is null), and how many match, counted up to <see cref="MaxCounted"/>
    /// past the window. Without a search, whole segments before the window are skipped by length.
    /// </summary>
    public static (List<TargetRow> Rows, int Total, bool TotalIsLowerBound) Page(
        IReadOnlyList<TargetSegment> segments, Paging paging, TargetSearch? search)
    {
        var rows = new List<TargetRow>(Math.Min(paging.Size, 1024));
        var offset = paging.Offset;
        var total = 0;
        if (search is null)
        {
            foreach (var segment in segments)
            {
                var start = Math.Max(0, offset - total);
                for (var i = start; i < segment.Count && rows.Count < paging.Size; i++)
                {
                    rows.Add(segment[i]);
                }

                total += segment.Count;
            }

            return (rows, total, false);
        }

        var stopAt = (long)offset + paging.Size + MaxCounted;
        foreach (var segment in segments)
        {
            for (var i = 0; i < segment.Count; i++)
            {
                var row = segment[i];
                if (!search.Matches(row))
                {
                    continue;
                }

                if (total >= offset && rows.Count < paging.Size)
                {
                    rows.Add(row);
                }

                if (++total >= stopAt)
                {
                    return (rows, total, true);
                }
            }
        }

        return (rows, total, false);
    }

    private bool Contains(string value) => value.Contains(_text, StringComparison.OrdinalIgnoreCase);

    private bool AnyValue(Label[] labels)
    {
        foreach (var label in labels)
        {
            if (Contains(label.Value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsLabelName(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(c == '_' || char.IsAsciiLetter(c) || (i > 0 && char.IsAsciiDigit(c))))
            {
                return false;
            }
        }

        return true;
    }
}
