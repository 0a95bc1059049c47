using CsCheck;
using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using Quartermaster.Core.Targets;
using static Quartermaster.Core.Tests.Relabeling.TestLabels;

namespace Quartermaster.Core.Tests.Relabeling;

public sealed class RelabelTraceTests
{
    private static readonly string[] Names = ["a", "b", "__address__", "__meta_x", "job", "__tmp_y"];
    private static readonly string[] Values = ["", "1", "10.0.0.1:80", "x;y", "AbC", "prod"];
    private static readonly string?[] Regexes = [null, "(.*)", "1", "10\\.0\\.0\\.(\\d+):80", "a|b", "__meta_(.+)", "x;(.*)", "(?i)abc", ""];
    private static readonly string[] Replacements = ["$1", "${1}", "v", "", "$1-$1", "k_$1"];

    private static readonly Gen<RelabelConfig> RuleGen =
        Gen.Select(
            Gen.Int[0, 10],
            Gen.Int[0, Names.Length - 1].Array[0, 3],
            Gen.Int[0, Regexes.Length - 1],
            Gen.Int[0, Names.Length - 1],
            Gen.Int[0, Replacements.Length - 1],
            Gen.Int[1, 4],
            (action, sources, regex, target, replacement, modulus) =>
            {
                var a = (RelabelAction)action;
                return a switch
                {
                    RelabelAction.LabelDrop or RelabelAction.LabelKeep => new RelabelConfig { Action = a, Regex = Regexes[regex] ?? "a" },
                    RelabelAction.LabelMap => new RelabelConfig { Action = a, Regex = Regexes[regex], Replacement = Replacements[replacement] },
                    RelabelAction.KeepEqual or RelabelAction.DropEqual => new RelabelConfig
                    {
                        Action = a, SourceLabels = [.. sources.Select(s => Names[s])], TargetLabel = Names[target],
                    },
                    RelabelAction.Lowercase or RelabelAction.Uppercase => new RelabelConfig
                    {
                        Action = a, SourceLabels = [.. sources.Select(s => Names[s])], Regex = Regexes[regex], TargetLabel = Names[target],
                    },
                    _ => new RelabelConfig
                    {
                        Action = a,
                        SourceLabels = [.. sources.Select(s => Names[s])],
                        Regex = Regexes[regex],
                        TargetLabel = Names[target],
                        Replacement = Replacements[replacement],
                        Modulus = a == RelabelAction.HashMod ? (ulong)modulus : 0,
                    },
                };
            });

    private static readonly Gen<Label[]> LabelsGen =
        Gen.Select(Gen.Int[0, Names.Length - 1], Gen.Int[0, Values.Length - 1], (n, v) => new Label(Names[n], Values[v]))
            .Array[0, 6]
            .Select(ls => ls.DistinctBy(l => l.Name).OrderBy(l => l.Name, StringComparer.Ordinal).ToArray());

    private static Relabeler? TryCompile(RelabelConfig[] rules)
    {
        try
        {
            return Relabeler.Compile(rules);
        }
        catch (RelabelConfigException)
        {
            return null;
        }
    }

    [Fact]
    public void Process_Traced_GivesSameResultAsUntraced()
    {
        Gen.Select(RuleGen.Array[0, 8], LabelsGen).Sample((rules, labels) =>
        {
            var relabeler = TryCompile(rules);
            if (relabeler is null)
            {
                return;
            }

            var plain = new LabelsBuilder(labels);
            var plainKept = relabeler.Process(plain, out var plainDropped);
            var traced = new LabelsBuilder(labels);
            var trace = new List<RelabelStep>();
            var tracedKept = relabeler.Process(traced, out var tracedDropped, trace);

            Assert.Equal(plainKept, tracedKept);
            Assert.Equal(plainDropped, tracedDropped);
            Assert.Equal(plainKept ? rules.Length : plainDropped + 1, trace.Count);
            if (plainKept)
            {
                Assert.Equal(Format(plain.Labels()), Format(traced.Labels()));
                Assert.Equal(Format(plain.Labels()), Format(trace.Count == 0 ? new LabelsBuilder(labels).Labels() : trace[^1].After));
                Assert.All(trace, s => Assert.True(s.Kept));
            }
            else
            {
                Assert.False(trace[^1].Kept);
                Assert.Equal(plainDropped, trace[^1].Index);
            }

            // Each step starts where the previous one ended.
            for (var i = 1; i < trace.Count; i++)
            {
                Assert.Equal(Format(trace[i - 1].After), Format(trace[i].Before));
            }
        });
    }

    [Fact]
    public void Trace_Filter_GivesSameVerdictHashAndRuleAsTryProcess()
    {
        Gen.Select(RuleGen.Array[0, 6], LabelsGen).Sample((rules, labels) =>
        {
            if (TryCompile(rules) is null)
            {
                return;
            }

            var filter = new TargetFilter(new ScrapeConfig { JobName = "j", RelabelConfigs = rules }, relabelFiltering: true);
            var kept = filter.TryProcess(labels, new LabelsBuilder(), out var hash, out var rule);
            var trace = filter.Trace(labels, new LabelsBuilder());

            Assert.Equal(kept, trace.Kept);
            Assert.Equal(hash, trace.Hash);
            Assert.Equal(rule, trace.DroppedByRule);
            Assert.Equal(-1, trace.Steps[0].RuleIndex);
            Assert.True(trace.Steps[0].AddedByAllocator);
        });
    }

    [Fact]
    public void Trace_DropRule_NamesJobRuleIndexActionAndChanges()
    {
        var filter = new TargetFilter(
            new ScrapeConfig
            {
                JobName = "j",
                RelabelConfigs =
                [
                    new RelabelConfig { SourceLabels = ["env"], TargetLabel = "stage" },
                    new RelabelConfig { SourceLabels = ["stage"], Regex = "dev", Action = RelabelAction.Drop },
                ],
            },
            relabelFiltering: true);

        var trace = filter.Trace(Of("__address__", "10.0.0.1:80", "env", "dev"), new LabelsBuilder());

        Assert.False(trace.Kept);
        Assert.Equal(1, trace.DroppedByRule);
        Assert.Equal(3, trace.Steps.Count);
        Assert.Equal([new LabelChange("stage", null, "dev")], trace.Steps[1].Step.Changes());
        Assert.Equal("drop", trace.Steps[2].Step.ActionName);
        Assert.Equal(1, trace.Steps[2].RuleIndex);
        Assert.Contains(new Label("job", "j"), trace.Seeded);
        Assert.Null(trace.Output);
    }
}
