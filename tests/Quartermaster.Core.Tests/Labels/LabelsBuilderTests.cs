using CsCheck;
using Quartermaster.Core.Labels;
using static Quartermaster.Core.Tests.Relabeling.TestLabels;

namespace Quartermaster.Core.Tests.Labels;

public sealed class LabelsBuilderTests
{
    private static string Range(LabelsBuilder builder)
    {
        var list = new List<Label>();
        builder.CopyRangeTo(list);
        return Format(list);
    }

    [Fact]
    public void Reset_EmptyBaseValues_AreDeleted()
    {
        var builder = new LabelsBuilder(Of("a", "1", "b", "", "c", "3"));
        Assert.Equal("", builder.Get("b"));
        Assert.Equal(Format(Of("a", "1", "c", "3")), Range(builder));
    }

    [Fact]
    public void Range_BaseSortedThenAddedInInsertionOrder()
    {
        var builder = new LabelsBuilder(Of("b", "1", "d", "2"));
        builder.Set("z", "z");
        builder.Set("a", "a");
        builder.Set("c", "c");
        Assert.Equal("{b=\"1\", d=\"2\", z=\"z\", a=\"a\", c=\"c\"}", Range(builder));
        Assert.Equal(Format(Of("a", "a", "b", "1", "c", "c", "d", "2", "z", "z")), Format(builder.Labels()));
    }

    [Fact]
    public void Set_OverridingBaseLabel_MovesItToAddedPosition()
    {
        var builder = new LabelsBuilder(Of("a", "1", "b", "2"));
        builder.Set("x", "x");
        builder.Set("a", "9");
        Assert.Equal("{b=\"2\", x=\"x\", a=\"9\"}", Range(builder));
    }

    [Fact]
    public void Set_ExistingAddedLabel_KeepsItsPosition()
    {
        var builder = new LabelsBuilder();
        builder.Set("x", "1");
        builder.Set("y", "2");
        builder.Set("x", "3");
        Assert.Equal("{x=\"3\", y=\"2\"}", Range(builder));
    }

    [Fact]
    public void Del_ThenSet_ReappearsAtEnd()
    {
        var builder = new LabelsBuilder(Of("a", "1", "b", "2"));
        builder.Del("a");
        Assert.Equal("", builder.Get("a"));
        builder.Set("a", "3");
        Assert.Equal("3", builder.Get("a"));
        Assert.Equal("{b=\"2\", a=\"3\"}", Range(builder));
    }

    [Fact]
    public void Set_EmptyValue_Deletes()
    {
        var builder = new LabelsBuilder(Of("a", "1"));
        builder.Set("n", "v");
        builder.Set("n", "");
        builder.Set("a", "");
        Assert.Equal("{}", Range(builder));
    }

    [Fact]
    public void Reset_Reuse_ClearsPreviousState()
    {
        var builder = new LabelsBuilder(Of("a", "1", "b", "2", "c", "3"));
        builder.Set("x", "1");
        builder.Del("b");
        builder.Reset(Of("b", "5"));
        Assert.Equal("{b=\"5\"}", Range(builder));
        Assert.Equal("", builder.Get("a"));
    }

    // SetIfAbsent is Get-then-Set in one lookup: after any mix of Set/Del it must leave the same Range order.
    [Fact]
    public void SetIfAbsent_AfterRandomEdits_SameAsGetThenSet()
    {
        string[] names = ["a", "b", "c", "d"];
        string[] values = ["", "1", "2"];
        var op = Gen.Select(Gen.Int[0, 2], Gen.Int[0, names.Length - 1], Gen.Int[0, values.Length - 1]);
        Gen.Select(Gen.Int[0, values.Length - 1].Array[names.Length], op.Array[0, 8]).Sample((baseValues, ops) =>
        {
            var pairs = names.Zip(baseValues, (n, v) => new[] { n, values[v] }).SelectMany(p => p).ToArray();
            var viaGet = new LabelsBuilder(Of(pairs));
            var direct = new LabelsBuilder(Of(pairs));
            foreach (var (kind, n, v) in ops)
            {
                var (name, value) = (names[n], values[v]);
                switch (kind)
                {
                    case 0:
                        viaGet.Set(name, value);
                        direct.Set(name, value);
                        break;
                    case 1:
                        viaGet.Del(name);
                        direct.Del(name);
                        break;
                    default:
                        var absent = viaGet.Get(name).Length == 0;
                        if (absent)
                        {
                            viaGet.Set(name, value);
                        }

                        if (direct.SetIfAbsent(name, value) != absent)
                        {
                            return false;
                        }

                        break;
                }
            }

            return Range(viaGet) == Range(direct);
        }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }

    // Lookups remember positions from earlier bases; across Resets with other names they must still find exactly
    // the current base's labels.
    [Fact]
    public void Get_AcrossResetsWithDifferentNames_SameAsLinearSearch()
    {
        string[] pool = ["a", "b", "ab", "ba", "__x", "__y_a", "__y_b", "zz", "\uE000", "\U0001F600"];
        Gen.Int[0, 3].Array[pool.Length].Array[1, 6].Sample(bases =>
        {
            var builder = new LabelsBuilder();
            foreach (var values in bases)
            {
                var pairs = pool.Zip(values, (n, v) => new[] { n, v == 0 ? "" : "v" + v }).Where(p => p[1].Length > 0);
                var labels = Of([.. pairs.SelectMany(p => p)]);
                builder.Reset(labels);
                foreach (var name in pool)
                {
                    var expected = Array.Find(labels, l => l.Name == name).Value ?? "";
                    if (builder.Get(name) != expected)
                    {
                        return false;
                    }
                }
            }

            return true;
        }, iter: 2000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Enumerator_MatchesSnapshot()
    {
        var builder = new LabelsBuilder(Of("a", "1", "b", "2"));
        builder.Set("c", "3");
        builder.Del("a");
        var enumerated = new List<Label>();
        foreach (var label in builder)
        {
            enumerated.Add(label);
        }

        Assert.Equal(Range(builder), Format(enumerated));
    }

    [Fact]
    public void Compare_Utf8Order_PutsSupplementaryAfterPrivateUse()
    {
        Assert.True(LabelNames.Compare("\uFFFD", "\U0001F600") < 0);
        Assert.True(string.CompareOrdinal("\uFFFD", "\U0001F600") > 0);
        Assert.True(LabelNames.Compare("a", "b") < 0);
        Assert.True(LabelNames.Compare("ab", "a") > 0);
        Assert.Equal(0, LabelNames.Compare("x", "x"));
    }

    // Reference model: Go labels.Builder written as plainly as possible.
    private sealed class NaiveBuilder(Label[] baseLabels)
    {
        private readonly List<Label> _add = [];
        private readonly List<string> _del = [.. baseLabels.Where(l => l.Value == "").Select(l => l.Name)];

        public string Get(string n) =>
            _add.FirstOrDefault(l => l.Name == n) is { Name: not null } a ? a.Value
            : _del.Contains(n) ? "" : baseLabels.FirstOrDefault(l => l.Name == n).Value ?? "";

        public void Set(string n, string v)
        {
            if (v == "")
            {
                Del(n);
                return;
            }

            var i = _add.FindIndex(l => l.Name == n);
            if (i >= 0)
            {
                _add[i] = new Label(n, v);
            }
            else
            {
                _add.Add(new Label(n, v));
            }
        }

        public void Del(string n)
        {
            _add.RemoveAll(l => l.Name == n);
            _del.Add(n);
        }

        public List<Label> Range() =>
        [
            .. baseLabels.Where(l => !_del.Contains(l.Name) && !_add.Any(a => a.Name == l.Name)),
            .. _add,
        ];
    }

    [Fact]
    public void Builder_RandomOperations_MatchReferenceModel()
    {
        string[] nameSet = ["a", "b", "c", "d", "e"];
        string[] valueSet = ["", "1", "2"];
        var names = Gen.Int[0, nameSet.Length - 1].Select(i => nameSet[i]);
        var values = Gen.Int[0, valueSet.Length - 1].Select(i => valueSet[i]);
        var baseGen = Gen.Select(names, values).Array[0, 5];
        var op = Gen.Select(Gen.Bool, names, values);
        Gen.Select(baseGen, op.Array[0, 20]).Sample((pairs, ops) =>
        {
            var baseLabels = pairs.DistinctBy(p => p.Item1).Select(p => new Label(p.Item1, p.Item2))
                .OrderBy(l => l.Name, StringComparer.Ordinal).ToArray();
            var builder = new LabelsBuilder(baseLabels);
            var model = new NaiveBuilder(baseLabels);
            foreach (var (isSet, name, value) in ops)
            {
                if (isSet)
                {
                    builder.Set(name, value);
                    model.Set(name, value);
                }
                else
                {
                    builder.Del(name);
                    model.Del(name);
                }
            }

            foreach (var name in new[] { "a", "b", "c", "d", "e" })
            {
                if (builder.Get(name) != model.Get(name))
                {
                    return false;
                }
            }

            return Range(builder) == Format(model.Range());
        }, iter: 2000, seed: "0N0XIzNsQ0O2");
    }
}
