using Quartermaster.Core.Config;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Targets;

/// <summary>
/// The per-job filter step of target creation (upstream-ta.md §3.2): seed scrape settings, run the job's
/// <c>relabel_configs</c> wrapped in the <c>__tmp_disable_sharding</c> rules, and compute the identity hash.
/// Built once per scrape config; thread-safe as long as each thread passes its own scratch builder.
/// </summary>
public sealed class TargetFilter
{
    /// <summary>The label the upstream TA sets before the job's rules so that operator sharding rules keep the target.</summary>
    public const string DisableShardingLabel = "__tmp_disable_sharding";

    private readonly string _jobName;
    private readonly Label[] _seeds;
    private readonly Relabeler? _relabeler;

    /// <exception cref="Relabeling.RelabelConfigException">A relabel rule is invalid (only when filtering).</exception>
    public TargetFilter(ScrapeConfig config, bool relabelFiltering)
    {
        ArgumentNullException.ThrowIfNull(config);
        _jobName = config.JobName;
        RelabelFiltering = relabelFiltering;
        if (!relabelFiltering)
        {
            _seeds = [];
            return;
        }

        var seeds = new List<Label>
        {
            new("job", config.JobName),
            new("__scrape_interval__", config.ScrapeInterval.ToString()),
            new("__scrape_timeout__", config.ScrapeTimeout.ToString()),
            new("__metrics_path__", config.MetricsPath),
            new("__scheme__", config.Scheme),
        };

        // Upstream quirk (upstream-ta.md §11 Q8): upstream seeds __param_* in Go map order, so a job with two or
        // more params can hash differently from one config apply to the next. We seed in the config's order, which
        // is deterministic and equal to upstream whenever the job has at most one param.
        foreach (var (key, values) in config.Params)
        {
            if (values.Count > 0)
            {
                seeds.Add(new Label("__param_" + key, values[0]));
            }
        }

        _seeds = [.. seeds];
        _relabeler = Relabeler.Compile(WithNoShardingRules(config.RelabelConfigs));
    }

    public string JobName => _jobName;

    public bool RelabelFiltering { get; }

    /// <summary>
    /// The upstream <c>addNoShardingConfig</c>: a rule setting <c>__tmp_disable_sharding="true"</c> first and a
    /// <c>labeldrop</c> of it last, so prometheus-operator's <c>$(SHARD)</c> keep rule passes.
    /// </summary>
    public static IReadOnlyList<RelabelConfig> WithNoShardingRules(IReadOnlyList<RelabelConfig> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var result = new List<RelabelConfig>(rules.Count + 2)
        {
            new()
            {
                Action = RelabelAction.Replace,
                Separator = ";",
                Regex = "(.*)",
                Replacement = "true",
                TargetLabel = DisableShardingLabel,
            },
        };
        foreach (var rule in rules)
        {
            result.Add(SubstituteShard(rule));
        }

        result.Add(new RelabelConfig { Action = RelabelAction.LabelDrop, Regex = DisableShardingLabel });
        return result;
    }

    /// <summary>
    /// Replaces <c>$(SHARD)</c> with <c>0</c>, as the collector's receiver does with the scrape configs it fetches
    /// (its <c>SHARD</c> defaults to <c>0</c>).
    /// </summary>
    /// <remarks>
    /// Operator sharding tails of every generation then keep the target, as they will in the collector: the v0.61–v0.78
    /// two-rule form and the v0.79 three-rule form (keep <c>$(SHARD)</c> on <c>__tmp_hash</c> with modulus 1) and the
    /// v0.83+ form (<c>$(SHARD);|.+;.+</c>, which the prelude satisfies anyway). Current upstream leaves
    /// <c>$(SHARD)</c> in place, which in RE2 matches nothing, so the older forms drop every target there
    /// (spec prometheus.md §5.3).
    /// </remarks>
    public static RelabelConfig SubstituteShard(RelabelConfig rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        const string shard = "$(SHARD)";
        if (!(rule.Regex?.Contains(shard, StringComparison.Ordinal) == true
            || rule.Replacement.Contains(shard, StringComparison.Ordinal)
            || rule.TargetLabel.Contains(shard, StringComparison.Ordinal)))
        {
            return rule;
        }

        return new RelabelConfig
        {
            SourceLabels = rule.SourceLabels,
            Separator = rule.Separator,
            Regex = rule.Regex?.Replace(shard, "0", StringComparison.Ordinal),
            Modulus = rule.Modulus,
            TargetLabel = rule.TargetLabel.Replace(shard, "0", StringComparison.Ordinal),
            Replacement = rule.Replacement.Replace(shard, "0", StringComparison.Ordinal),
            Action = rule.Action,
        };
    }

    /// <summary>
    /// Runs the filter over one target's merged, sorted pre-relabel labels. Returns false when relabeling drops the
    /// target; otherwise <paramref name="hash"/> is the target's identity and <paramref name="scratch"/> holds the
    /// post-relabel labels.
    /// </summary>
    public bool TryProcess(ReadOnlySpan<Label> mergedSortedLabels, LabelsBuilder scratch, out ulong hash) =>
        TryProcess(mergedSortedLabels, scratch, out hash, out _);

    /// <summary>
    /// As <see cref="TryProcess(ReadOnlySpan{Label}, LabelsBuilder, out ulong)"/>; when the target is dropped,
    /// <paramref name="droppedByRule"/> is the index of the job's own <c>relabel_configs</c> rule that dropped it.
    /// </summary>
    public bool TryProcess(ReadOnlySpan<Label> mergedSortedLabels, LabelsBuilder scratch, out ulong hash, out int droppedByRule)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        droppedByRule = -1;
        scratch.Reset(mergedSortedLabels);
        if (_relabeler is not null)
        {
            foreach (var seed in _seeds)
            {
                scratch.SetIfAbsent(seed.Name, seed.Value);
            }

            if (!_relabeler.Process(scratch, out var dropped))
            {
                // The prepended __tmp_disable_sharding rule is index 0 of the compiled list.
                droppedByRule = dropped - 1;
                hash = 0;
                return false;
            }
        }

        hash = TargetIdentity.Hash(scratch, _jobName);
        return true;
    }

    /// <summary>
    /// As <see cref="TryProcess(ReadOnlySpan{Label}, LabelsBuilder, out ulong, out int)"/>, recording every rule's
    /// effect. Not for the hot path: each step copies the label set. Gives the same verdict, hash and rule index.
    /// </summary>
    public FilterTrace Trace(ReadOnlySpan<Label> mergedSortedLabels, LabelsBuilder scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Reset(mergedSortedLabels);
        var steps = new List<RelabelStep>();
        var seeded = new List<Label>();
        if (_relabeler is not null)
        {
            foreach (var seed in _seeds)
            {
                if (scratch.SetIfAbsent(seed.Name, seed.Value))
                {
                    seeded.Add(seed);
                }
            }

            var input = scratch.Labels();
            if (!_relabeler.Process(scratch, out var dropped, steps))
            {
                return new FilterTrace(input, seeded, steps, _relabeler.Count - 2, false, dropped - 1, null, 0);
            }

            return new FilterTrace(input, seeded, steps, _relabeler.Count - 2, true, -1, scratch.Labels(), TargetIdentity.Hash(scratch, _jobName));
        }

        var labels = scratch.Labels();
        return new FilterTrace(labels, seeded, steps, 0, true, -1, labels, TargetIdentity.Hash(scratch, _jobName));
    }
}
