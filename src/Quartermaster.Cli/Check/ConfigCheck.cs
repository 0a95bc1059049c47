using Quartermaster.Core.Config;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Cli.Check;

/// <summary><c>qmctl check config</c>: loads <c>targetallocator.yaml</c> exactly as the service does and summarizes it.</summary>
internal static class ConfigCheck
{
    /// <summary>Prints OK with a summary and the warnings (exit 0), or every error (exit 1).</summary>
    public static async Task<int> RunAsync(string file, Func<string, string?> environment, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"qmctl: cannot read {file}: {ex.Message}");
            return 1;
        }

        TargetAllocatorConfig config;
        try
        {
            config = TargetAllocatorConfigLoader.Load(
                text, file, environment, ConfigOverrides.None, ValidateRelabelRule, TargetAllocatorConfigLoader.DefaultSupportedMechanisms);
        }
        catch (ConfigException ex)
        {
            await stdout.WriteLineAsync($"{file}: INVALID, {ex.Errors.Count} error(s):");
            foreach (var error in ex.Errors)
            {
                await stdout.WriteLineAsync("  ERROR  " + error);
            }

            await stderr.WriteLineAsync($"qmctl: {file} is not a valid allocator configuration ({ex.Errors.Count} error(s))");
            return 1;
        }

        await stdout.WriteLineAsync($"{file}: OK");
        foreach (var (key, value) in Summary(config))
        {
            await stdout.WriteLineAsync($"  {key,-22} {value}");
        }

        foreach (var warning in config.Warnings)
        {
            await stdout.WriteLineAsync("  WARN  " + warning);
        }

        return 0;
    }

    /// <summary>The settings that decide what the allocator serves, as the service will run them.</summary>
    public static IReadOnlyList<(string Key, string Value)> Summary(TargetAllocatorConfig config)
    {
        var jobs = config.PromConfig?.ScrapeConfigs.Select(j => j.JobName).ToList() ?? [];
        var strategy = config.AllocationStrategy +
            (config.AllocationFallbackStrategy.Length > 0 ? $" (fallback {config.AllocationFallbackStrategy})" : "");
        var collectors = config.Collectors.Static is { } list
            ? $"static: {string.Join(", ", list.Select(c => c.Node.Length > 0 ? $"{c.Id}@{c.Node}" : c.Id))}"
            : $"Kubernetes pods in namespace {(config.CollectorNamespace.Length > 0 ? config.CollectorNamespace : "(unset)")}" +
              (config.CollectorSelector is { } s ? $" matching {Selector(s)}" : "");
        return
        [
            ("jobs", jobs.Count == 0 ? "0" : $"{jobs.Count}: {string.Join(", ", jobs)}"),
            ("allocation_strategy", strategy),
            ("filter_strategy", config.FilterStrategy.Length > 0 ? config.FilterStrategy : "(none)"),
            ("prometheus_cr.enabled", config.PrometheusCr.Enabled ? "true" : "false"),
            ("https.enabled", config.Https.Enabled ? $"true ({config.Https.ListenAddr})" : "false"),
            ("listen_addr", config.ListenAddr),
            ("collectors", collectors),
        ];
    }

    private static string Selector(LabelSelector selector) =>
        string.Join(",", selector.MatchLabels.Select(l => $"{l.Key}={l.Value}")
            .Concat(selector.MatchExpressions.Select(e => $"{e.Key} {e.Operator} ({string.Join(",", e.Values)})")));

    /// <summary>As the service: a rule is valid only if it also compiles (Prometheus rejects a bad regex at load).</summary>
    private static string? ValidateRelabelRule(RelabelConfig rule)
    {
        try
        {
            Relabeler.Compile([rule]);
            return null;
        }
        catch (RelabelConfigException ex)
        {
            return ex.Reason;
        }
    }
}
