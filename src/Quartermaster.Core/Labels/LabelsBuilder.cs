namespace Quartermaster.Core.Labels;

/// <summary>
/// Prometheus <c>labels.Builder</c>: a sorted base label set plus an insertion-ordered list of added labels and a
/// set of deleted names. Empty values mean "absent". Reusable: <see cref="Reset(ReadOnlySpan{Label})"/> keeps the
/// internal buffers, so a builder processes many targets without allocating.
/// </summary>
/// <remarks>Not thread-safe. Spec: prometheus.md §1.3, upstream-ta.md §3.2.</remarks>
public sealed class LabelsBuilder
{
    private Label[] _base = new Label[64];
    private int _baseCount;
    // A base label is hidden once its name is deleted or added (Go checks the del and add lists on every Range;
    // both only grow until Reset, so a per-base-label flag is equivalent and avoids the scans).
    private bool[] _baseHidden = new bool[64];
    private Label[] _add = new Label[16];
    private int _addCount;

    private const int CacheSize = 64;
    private readonly CacheEntry[] _findCache = new CacheEntry[CacheSize];

    public LabelsBuilder()
    {
    }

    public LabelsBuilder(ReadOnlySpan<Label> sortedBase) => Reset(sortedBase);

    /// <summary>Number of base labels, including those deleted or shadowed.</summary>
    public int BaseCount => _baseCount;

    /// <summary>
    /// Replaces the base with <paramref name="sortedBase"/> (sorted by <see cref="LabelNames.Compare"/>, no duplicate
    /// names) and clears the added and deleted lists; every base label with an empty value is put in the deleted list.
    /// </summary>
    public void Reset(ReadOnlySpan<Label> sortedBase)
    {
        if (_base.Length < sortedBase.Length)
        {
            _base = new Label[Math.Max(sortedBase.Length, _base.Length * 2)];
            _baseHidden = new bool[_base.Length];
        }
        else if (_baseCount > sortedBase.Length)
        {
            Array.Clear(_base, sortedBase.Length, _baseCount - sortedBase.Length);
        }

        sortedBase.CopyTo(_base);
        _baseCount = sortedBase.Length;
        for (var i = 0; i < sortedBase.Length; i++)
        {
            _baseHidden[i] = sortedBase[i].Value.Length == 0;
        }

        Array.Clear(_add, 0, _addCount);
        _addCount = 0;
    }

    /// <summary>The value of <paramref name="name"/>, or <c>""</c> when it is absent or deleted.</summary>
    public string Get(string name)
    {
        for (var i = 0; i < _addCount; i++)
        {
            if (string.Equals(_add[i].Name, name, StringComparison.Ordinal))
            {
                return _add[i].Value;
            }
        }

        var index = FindBase(name);
        return index >= 0 && !_baseHidden[index] ? _base[index].Value : "";
    }

    /// <summary>Sets a label; an empty value deletes it. An existing added label keeps its position.</summary>
    public void Set(string name, string value)
    {
        if (value.Length == 0)
        {
            Del(name);
            return;
        }

        for (var i = 0; i < _addCount; i++)
        {
            if (string.Equals(_add[i].Name, name, StringComparison.Ordinal))
            {
                _add[i] = new Label(name, value);
                return;
            }
        }

        if (_addCount == _add.Length)
        {
            Array.Resize(ref _add, _add.Length * 2);
        }

        _add[_addCount++] = new Label(name, value);
        Hide(name);
    }

    /// <summary>
    /// <see cref="Set"/> when <paramref name="name"/> is absent (<see cref="Get"/> would return <c>""</c>), with one
    /// lookup instead of two; false when the label is present and nothing changed.
    /// </summary>
    public bool SetIfAbsent(string name, string value)
    {
        for (var i = 0; i < _addCount; i++)
        {
            if (string.Equals(_add[i].Name, name, StringComparison.Ordinal))
            {
                // Added values are never empty: Set of "" deletes.
                return false;
            }
        }

        var index = FindBase(name);
        if (index >= 0 && !_baseHidden[index])
        {
            return false;
        }

        if (value.Length == 0)
        {
            // Set of "" is a Del, which changes nothing for an absent label.
            return true;
        }

        if (_addCount == _add.Length)
        {
            Array.Resize(ref _add, _add.Length * 2);
        }

        // A base label of this name is already hidden (deleted), as it was not visible.
        _add[_addCount++] = new Label(name, value);
        return true;
    }

    /// <summary>Removes <paramref name="name"/> from the added list and marks it deleted in the base.</summary>
    public void Del(string name)
    {
        for (var i = 0; i < _addCount; i++)
        {
            if (string.Equals(_add[i].Name, name, StringComparison.Ordinal))
            {
                Array.Copy(_add, i + 1, _add, i, _addCount - i - 1);
                _add[--_addCount] = default;
                break;
            }
        }

        Hide(name);
    }

    /// <summary>
    /// Enumerates in <c>Range</c> order: base labels in sorted order that are neither deleted nor added, then added
    /// labels in insertion order. The builder must not be modified while enumerating; use
    /// <see cref="CopyRangeTo"/> for a snapshot that allows modification.
    /// </summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Appends the current <c>Range</c> sequence to <paramref name="destination"/> (a snapshot).</summary>
    public void CopyRangeTo(List<Label> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (var label in this)
        {
            destination.Add(label);
        }
    }

    /// <summary>The resulting label set, sorted by name (Go <c>Builder.Labels</c>).</summary>
    public Label[] Labels()
    {
        var count = 0;
        foreach (var unused in this)
        {
            count++;
        }

        var result = new Label[count];
        var i = 0;
        foreach (var label in this)
        {
            result[i++] = label;
        }

        Array.Sort(result, static (a, b) => LabelNames.Compare(a.Name, b.Name));
        return result;
    }

    private void Hide(string name)
    {
        var index = FindBase(name);
        if (index >= 0)
        {
            _baseHidden[index] = true;
        }
    }

    // Targets of one job mostly share their label names, so where a name was found in the previous base (or where
    // it would be inserted) is usually right for the next one. The cache is keyed cheaply by the name's shape and
    // every hit is checked against the current base, so a stale, colliding or torn entry only costs the binary search
    // (concurrent Gets on one builder therefore stay correct).
    private int FindBase(string name)
    {
        var slot = name.Length == 0 ? 0 : (name.Length ^ (name[^1] << 2) ^ (name[name.Length >> 1] << 4)) & (CacheSize - 1);
        ref var entry = ref _findCache[slot];
        if (entry.Name is not null && string.Equals(entry.Name, name, StringComparison.Ordinal))
        {
            var hint = entry.Position;
            if (hint >= 0)
            {
                if (hint < _baseCount && string.Equals(_base[hint].Name, name, StringComparison.Ordinal))
                {
                    return hint;
                }
            }
            else
            {
                // Absent last time: still absent when the neighbours of its insertion point enclose it.
                var insert = ~hint;
                if (insert <= _baseCount
                    && (insert == 0 || LabelNames.Compare(_base[insert - 1].Name, name) < 0)
                    && (insert == _baseCount || LabelNames.Compare(name, _base[insert].Name) < 0))
                {
                    return -1;
                }
            }
        }

        var found = BinarySearch(name);
        entry = new CacheEntry(name, found);
        return found < 0 ? -1 : found;
    }

    // The index of name, or the bitwise complement of its insertion point.
    private int BinarySearch(string name)
    {
        int lo = 0, hi = _baseCount - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var cmp = LabelNames.Compare(_base[mid].Name, name);
            if (cmp == 0)
            {
                return mid;
            }

            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private readonly record struct CacheEntry(string? Name, int Position);

    /// <summary>Allocation-free <c>Range</c> enumerator.</summary>
    public struct Enumerator
    {
        private readonly LabelsBuilder _builder;
        private int _index;

        internal Enumerator(LabelsBuilder builder)
        {
            _builder = builder;
            _index = -1;
            Current = default;
        }

        public Label Current { get; private set; }

        public bool MoveNext()
        {
            var b = _builder;
            while (++_index < b._baseCount)
            {
                if (b._baseHidden[_index])
                {
                    continue;
                }

                Current = b._base[_index];
                return true;
            }

            var addIndex = _index - b._baseCount;
            if (addIndex < b._addCount)
            {
                Current = b._add[addIndex];
                return true;
            }

            _index = b._baseCount + b._addCount;
            return false;
        }
    }
}
