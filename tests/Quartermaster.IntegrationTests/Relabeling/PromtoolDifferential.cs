using System.Globalization;
using System.Text;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>Runs jobs through promtool and the engine, compares, and shrinks a disagreeing case to a minimal one.</summary>
internal static class PromtoolDifferential
{
    private static readonly int Parallelism = Math.Max(4, Environment.ProcessorCount * 4);

    public static async Task<IReadOnlyList<Mismatch>> CompareAsync(IReadOnlyList<RelabelJob> jobs, CancellationToken cancellationToken)
    {
        var mismatches = new List<Mismatch>();
        var compiled = new Dictionary<string, Relabeler>(StringComparer.Ordinal);
        var runnable = new List<RelabelJob>();
        foreach (var job in jobs)
        {
            try
            {
                compiled[job.Name] = Relabeler.Compile(job.Rules, legacyNameValidation: true);
                runnable.Add(job);
            }
            catch (RelabelConfigException ex)
            {
                mismatches.Add(new Mismatch(job, null, $"the engine rejects a rule promtool accepts: {ex.Message}"));
            }
        }

        var results = await Promtool.CheckAsync(Promtool.ConfigYaml(runnable), runnable, Parallelism, cancellationToken);
        foreach (var job in runnable)
        {
            mismatches.AddRange(Compare(job, compiled[job.Name], results[job.Name]));
        }

        return mismatches;
    }

    /// <summary>
    /// Matches promtool's results to the job's targets by <see cref="PromtoolResult.CaseLabel"/>; 2.42 prints no
    /// discovered labels on error, so errors are matched by count.
    /// </summary>
    public static IReadOnlyList<Mismatch> Compare(RelabelJob job, Relabeler relabeler, IReadOnlyList<PromtoolResult> results)
    {
        var mismatches = new List<Mismatch>();
        var byKey = new Dictionary<string, PromtoolResult>(StringComparer.Ordinal);
        var promtoolErrors = 0;
        foreach (var result in results)
        {
            if (result.Error)
            {
                promtoolErrors++;
            }
            else
            {
                byKey[PromtoolResult.Key(result.Discovered)] = result;
            }
        }

        var predictedErrors = 0;
        var notComparable = 0;
        foreach (var target in job.Targets)
        {
            var prediction = PromtoolModel.Predict(job.Name, relabeler, target);
            byKey.TryGetValue(PromtoolResult.Key(prediction.Discovered), out var actual);
            switch (prediction.Kind)
            {
                case PredictionKind.NotComparable:
                    notComparable++;
                    break;
                case PredictionKind.Error:
                    predictedErrors++;
                    if (actual is not null)
                    {
                        mismatches.Add(new Mismatch(job, target, $"engine: error (no address, bad address or durations); promtool: {Describe(actual)}"));
                    }

                    break;
                case PredictionKind.Dropped when actual is null || actual.Labels.Count > 0:
                    mismatches.Add(new Mismatch(job, target, $"engine: dropped; promtool: {Describe(actual)}"));
                    break;
                case PredictionKind.Kept when actual is null || !SameLabels(prediction.Labels, actual.Labels):
                    mismatches.Add(new Mismatch(job, target, $"engine: kept {Format(prediction.Labels)}; promtool: {Describe(actual)}"));
                    break;
            }
        }

        if (mismatches.Count == 0 && (promtoolErrors < predictedErrors || promtoolErrors > predictedErrors + notComparable))
        {
            mismatches.Add(new Mismatch(job, null, $"engine predicts {predictedErrors} errors, promtool reported {promtoolErrors}"));
        }

        return mismatches;
    }

    /// <summary>
    /// Greedily removes rules, then group labels, while the single-target case still disagrees; each round runs its
    /// candidates as jobs of one promtool config. Bounded by the size of the case.
    /// </summary>
    public static async Task<Mismatch> ShrinkAsync(Mismatch mismatch, CancellationToken cancellationToken)
    {
        if (mismatch.Target is null)
        {
            return mismatch;
        }

        var current = mismatch with { Job = mismatch.Job with { Targets = [mismatch.Target] } };
        var confirmed = await FirstDisagreementAsync([current.Job], cancellationToken);
        if (confirmed is null)
        {
            return mismatch with { Description = mismatch.Description + " (not reproduced alone)" };
        }

        current = confirmed;
        for (var round = 0; round < 64; round++)
        {
            var job = current.Job;
            var target = job.Targets[0];
            var candidates = new List<RelabelJob>();
            for (var i = 0; i < job.Rules.Count; i++)
            {
                var rules = job.Rules.Where((_, j) => j != i).ToList();
                candidates.Add(job with { Name = $"shrink-r{i}", Rules = rules });
            }

            for (var i = 0; i < target.GroupLabels.Count; i++)
            {
                if (target.GroupLabels[i].Name == PromtoolResult.CaseLabel)
                {
                    continue;
                }

                var labels = target.GroupLabels.Where((_, j) => j != i).ToList();
                candidates.Add(job with { Name = $"shrink-l{i}", Targets = [target with { GroupLabels = labels }] });
            }

            var smaller = candidates.Count == 0 ? null : await FirstDisagreementAsync(candidates, cancellationToken);
            if (smaller is null)
            {
                break;
            }

            current = smaller;
        }

        return current with { Job = current.Job with { Name = mismatch.Job.Name } };
    }

    private static async Task<Mismatch?> FirstDisagreementAsync(IReadOnlyList<RelabelJob> candidates, CancellationToken cancellationToken)
    {
        var found = await CompareAsync(candidates, cancellationToken);
        foreach (var candidate in candidates)
        {
            if (found.FirstOrDefault(m => m.Job.Name == candidate.Name) is { } m)
            {
                return m with { Target = m.Target ?? candidate.Targets[0] };
            }
        }

        return null;
    }

    public static string Report(Mismatch mismatch)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"job {mismatch.Job.Name}: {mismatch.Description}\n");
        if (mismatch.Target is { } target)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  target {target.Address} labels {{{string.Join(", ", target.GroupLabels.Select(static l => $"{l.Name}={Promtool.Quote(l.Value)}"))}}}\n");
        }

        sb.Append("  relabel_configs:\n");
        foreach (var rule in mismatch.Job.Rules)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    - action: {RelabelConfig.ActionName(rule.Action)}, source_labels: [{string.Join(", ", rule.SourceLabels)}]");
            sb.Append(CultureInfo.InvariantCulture, $", separator: {Promtool.Quote(rule.Separator)}, regex: {(rule.Regex is null ? "(default)" : Promtool.Quote(rule.Regex))}");
            sb.Append(CultureInfo.InvariantCulture, $", target_label: {Promtool.Quote(rule.TargetLabel)}, replacement: {Promtool.Quote(rule.Replacement)}, modulus: {rule.Modulus}\n");
        }

        return sb.ToString();
    }

    private static bool SameLabels(IReadOnlyDictionary<string, string> expected, SortedDictionary<string, string> actual) =>
        expected.Count == actual.Count
        && expected.All(kv => actual.TryGetValue(kv.Key, out var v) && string.Equals(v, kv.Value, StringComparison.Ordinal));

    private static string Describe(PromtoolResult? result) => result switch
    {
        null => "error or no result",
        { Labels.Count: 0 } => "dropped",
        _ => "kept " + Format(result.Labels),
    };

    private static string Format(IEnumerable<KeyValuePair<string, string>> labels) =>
        "{" + string.Join(", ", labels.OrderBy(static kv => kv.Key, StringComparer.Ordinal).Select(static kv => $"{kv.Key}={Promtool.Quote(kv.Value)}")) + "}";
}
