using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Targets;

namespace Quartermaster.Core.Tests.Relabeling;

/// <summary>
/// upstream-ta.md §9.3 differential fixtures; golden.json is promtool output from Prometheus 3.x (3.12 era, no
/// histogram seed labels), so these tests pin Prometheus 3 semantics.
/// </summary>
public sealed class RelabelConformanceTests
{
    private static readonly string FixtureRoot = Path.Combine(AppContext.BaseDirectory, "TestData", "relabel-fixtures");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(FixtureRoot).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_KeepDropIdentityAndLabels_MatchPrometheus(string fixture)
    {
        var dir = Path.Combine(FixtureRoot, fixture);
        var configs = RelabelFixtureReader.ReadScrapeConfigs(Path.Combine(dir, "prometheus.yaml"));
        var golden = RelabelFixtureReader.ReadGolden(Path.Combine(dir, "golden.json"));
        var unmatched = new List<GoldenTarget>(golden);
        var kept = new List<(ulong Hash, GoldenTarget Golden)>();
        var scratch = new LabelsBuilder();

        foreach (var config in configs)
        {
            var filter = new TargetFilter(config, relabelFiltering: true);
            foreach (var group in config.StaticConfigs)
            {
                foreach (var target in group.Targets)
                {
                    var merged = Merge(group.Labels, target);
                    var discovered = Discovered(merged, config);
                    var entry = unmatched.FirstOrDefault(g => Same(g.DiscoveredLabels, discovered))
                        ?? throw new Xunit.Sdk.XunitException($"no golden entry for {Describe(discovered)}");
                    unmatched.Remove(entry);

                    var isKept = filter.TryProcess(merged, scratch, out var hash);

                    // (A) keep/drop parity.
                    Assert.True(entry.Kept == isKept, $"{config.JobName} {Describe(discovered)}: kept={isKept}, Prometheus kept={entry.Kept}");
                    if (!isKept)
                    {
                        continue;
                    }

                    // Post-relabel labels as Prometheus finishes them: __meta_* removed, instance defaulted.
                    var final = new SortedDictionary<string, string>(StringComparer.Ordinal);
                    foreach (var label in scratch.Labels())
                    {
                        if (!label.Name.StartsWith("__meta_", StringComparison.Ordinal))
                        {
                            final[label.Name] = label.Value;
                        }
                    }

                    final.TryAdd("instance", final.GetValueOrDefault("__address__", ""));
                    Assert.Equal(Describe(entry.Labels), Describe(final));
                    kept.Add((hash, entry));
                }
            }
        }

        Assert.Empty(unmatched);

        // (C) identity grouping: equal hashes exactly when Prometheus' post-relabel label sets are equal.
        for (var i = 0; i < kept.Count; i++)
        {
            for (var j = i + 1; j < kept.Count; j++)
            {
                var sameLabels = Same(kept[i].Golden.Labels, kept[j].Golden.Labels);
                Assert.True(sameLabels == (kept[i].Hash == kept[j].Hash),
                    $"{Describe(kept[i].Golden.Labels)} vs {Describe(kept[j].Golden.Labels)}: same labels={sameLabels}, " +
                    $"hashes {kept[i].Hash} / {kept[j].Hash}");
            }
        }
    }

    private static Label[] Merge(Label[] groupLabels, Label[] targetLabels)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in groupLabels)
        {
            byName[label.Name] = label.Value;
        }

        foreach (var label in targetLabels)
        {
            byName[label.Name] = label.Value;
        }

        return [.. byName.Select(kv => new Label(kv.Key, kv.Value)).OrderBy(l => l.Name, Comparer<string>.Create(LabelNames.Compare))];
    }

    private static SortedDictionary<string, string> Discovered(Label[] merged, ScrapeConfig config)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in merged)
        {
            if (label.Value.Length > 0)
            {
                result[label.Name] = label.Value;
            }
        }

        result.TryAdd("job", config.JobName);
        result.TryAdd("__scrape_interval__", config.ScrapeInterval.ToString());
        result.TryAdd("__scrape_timeout__", config.ScrapeTimeout.ToString());
        result.TryAdd("__metrics_path__", config.MetricsPath);
        result.TryAdd("__scheme__", config.Scheme);
        foreach (var (key, values) in config.Params)
        {
            if (values.Count > 0)
            {
                result.TryAdd("__param_" + key, values[0]);
            }
        }

        return result;
    }

    private static bool Same(SortedDictionary<string, string> a, SortedDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string Describe(SortedDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.Select(kv => $"{kv.Key}=\"{kv.Value}\"")) + "}";
}
