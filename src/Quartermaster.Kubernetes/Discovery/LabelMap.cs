using Quartermaster.Core.Labels;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>A Go <c>model.LabelSet</c>: a map where a later write of a name replaces the earlier value.</summary>
internal sealed class LabelMap
{
    private readonly Dictionary<string, string> _labels;

    public LabelMap(int capacity = 16) => _labels = new Dictionary<string, string>(capacity, StringComparer.Ordinal);

    public LabelMap(LabelMap other) => _labels = new Dictionary<string, string>(other._labels, StringComparer.Ordinal);

    public int Count => _labels.Count;

    public string this[string name]
    {
        set => _labels[name] = value;
    }

    public bool TryGetValue(string name, out string value) => _labels.TryGetValue(name, out value!);

    /// <summary>Adds every label of <paramref name="other"/>, replacing values of names present in both.</summary>
    public void Merge(LabelMap other)
    {
        foreach (var (name, value) in other._labels)
        {
            _labels[name] = value;
        }
    }

    public Label[] ToSortedArray()
    {
        var result = new Label[_labels.Count];
        var i = 0;
        foreach (var (name, value) in _labels)
        {
            result[i++] = new Label(name, value);
        }

        Array.Sort(result, static (a, b) => LabelNames.Compare(a.Name, b.Name));
        return result;
    }
}
