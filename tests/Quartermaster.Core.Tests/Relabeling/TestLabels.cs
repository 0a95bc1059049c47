using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Tests.Relabeling;

internal static class TestLabels
{
    /// <summary>Builds a sorted label set from name/value pairs.</summary>
    public static Label[] Of(params string[] pairs)
    {
        var labels = new Label[pairs.Length / 2];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = new Label(pairs[2 * i], pairs[(2 * i) + 1]);
        }

        Array.Sort(labels, static (a, b) => LabelNames.Compare(a.Name, b.Name));
        return labels;
    }

    public static string Format(IEnumerable<Label> labels) => "{" + string.Join(", ", labels) + "}";
}
