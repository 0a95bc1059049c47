using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>
/// What promtool should print for a target, computed with the engine the way promtool builds its answer
/// (prometheus.md §2.1, §2.2, §6.2): merge target and group labels, drop empty values, seed <c>job</c>,
/// <c>__scrape_interval__</c>, <c>__scrape_timeout__</c>, <c>__metrics_path__</c> and <c>__scheme__</c> (2.42 has no
/// histogram seeds), relabel, check address and durations, remove <c>__meta_*</c>, default <c>instance</c>.
/// </summary>
internal static class PromtoolModel
{
    public static Prediction Predict(string jobName, Relabeler relabeler, StaticTarget target)
    {
        var discovered = new Dictionary<string, string>(StringComparer.Ordinal) { ["__address__"] = target.Address };
        foreach (var label in target.GroupLabels)
        {
            // The target's own labels win over the group's (only __address__ here).
            if (!discovered.ContainsKey(label.Name))
            {
                discovered[label.Name] = label.Value;
            }
        }

        foreach (var name in discovered.Where(static kv => kv.Value.Length == 0).Select(static kv => kv.Key).ToList())
        {
            discovered.Remove(name);
        }

        foreach (var (name, value) in new[]
        {
            ("job", jobName), ("__scrape_interval__", "1m"), ("__scrape_timeout__", "10s"),
            ("__metrics_path__", "/metrics"), ("__scheme__", "http"),
        })
        {
            discovered.TryAdd(name, value);
        }

        var sorted = LabelSets.FromUnsorted(discovered.Select(static kv => new Label(kv.Key, kv.Value)));
        var builder = new LabelsBuilder(sorted);
        if (!relabeler.Process(builder))
        {
            return new Prediction(discovered, PredictionKind.Dropped, new Dictionary<string, string>(StringComparer.Ordinal));
        }

        var labels = builder.Labels().ToDictionary(static l => l.Name, static l => l.Value, StringComparer.Ordinal);
        var address = labels.GetValueOrDefault("__address__", "");
        if (address.Length == 0 || address.Contains('/', StringComparison.Ordinal) || !ValidDurations(labels))
        {
            return new Prediction(discovered, PredictionKind.Error, new Dictionary<string, string>(StringComparer.Ordinal));
        }

        // 2.42 with no-default-scrape-port strips a default port (and only then keeps instance unstripped); 3.x
        // never touches the port. Such results are outside the shared subset.
        if (address.EndsWith(":80", StringComparison.Ordinal) || address.EndsWith(":443", StringComparison.Ordinal))
        {
            return new Prediction(discovered, PredictionKind.NotComparable, labels);
        }

        foreach (var name in labels.Keys.Where(static n => n.StartsWith("__meta_", StringComparison.Ordinal)).ToList())
        {
            labels.Remove(name);
        }

        labels.TryAdd("instance", address);
        return new Prediction(discovered, PredictionKind.Kept, labels);
    }

    private static bool ValidDurations(Dictionary<string, string> labels)
    {
        if (!PromDuration.TryParse(labels.GetValueOrDefault("__scrape_interval__", ""), out var interval, out _)
            || interval == PromDuration.Zero)
        {
            return false;
        }

        if (!PromDuration.TryParse(labels.GetValueOrDefault("__scrape_timeout__", ""), out var timeout, out _)
            || timeout == PromDuration.Zero)
        {
            return false;
        }

        return timeout <= interval;
    }
}
