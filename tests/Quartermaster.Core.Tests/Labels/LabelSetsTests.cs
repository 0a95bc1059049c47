using CsCheck;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Labels;

public class LabelSetsTests
{
    private static readonly string[] Pieces = ["a", "b", "c", "é", "_", "\U0001F600", "\uFFFD", "ab"];

    private static readonly Gen<Label[]> SortedLabels =
        Gen.Select(Gen.Int[0, Pieces.Length - 1].Array[1, 3].Select(ix => string.Concat(ix.Select(x => Pieces[x]))), Gen.Int[0, 2], (n, v) => new Label(n, v == 0 ? "" : v == 1 ? "x" : "y"))
            .Array[0, 8]
            .Select(ls => LabelSets.FromUnsorted(ls));

    [Fact]
    public void Merge_TargetWins_AndResultIsSorted()
    {
        var merged = LabelSets.Merge([new("a", "g"), new("c", "g")], [new("b", "t"), new("c", "")]);

        Assert.Equal([new Label("a", "g"), new Label("b", "t"), new Label("c", "")], merged);
    }

    [Fact]
    public void MergeInto_AndItemWriters_AgreeWithMerge()
    {
        Gen.Select(SortedLabels, SortedLabels).Sample((group, target) =>
        {
            var expected = LabelSets.Merge(group, target);
            var buffer = new Label[group.Length + target.Length];
            var n = LabelSets.MergeInto(buffer, group, target);
            Assert.Equal(expected, buffer[..n]);
            Assert.Equal(expected, new TargetItem("j", "a:1", group, target, 1).Labels);
            for (var i = 1; i < expected.Length; i++)
            {
                Assert.True(LabelNames.Compare(expected[i - 1].Name, expected[i].Name) < 0);
            }

            foreach (var label in expected)
            {
                Assert.Equal(label.Value, new TargetItem("j", "a:1", group, target, 1).GetLabel(label.Name));
            }
        }, iter: 500);
    }
}
