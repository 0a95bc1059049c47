using System.Text;
using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// Turns Prometheus Operator resources into Prometheus scrape configs as prometheus-operator's generator does for the
/// allocator (spec prometheus.md §5: endpointslice role, one shard, TLS and credentials inlined), and parses them as
/// Prometheus would. An invalid resource is rejected alone, with its reason; the others are still generated.
/// </summary>
public static partial class ScrapeConfigGenerator
{
    /// <summary>
    /// Generates the jobs of <paramref name="resources"/>: ServiceMonitors, then PodMonitors, Probes and ScrapeConfigs,
    /// each kind in ordinal <c>namespace/name</c> order.
    /// </summary>
    public static GenerationResult Generate(IReadOnlyList<MonitoringResource> resources, GeneratorSettings settings, IAssetStore assets)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(assets);
        var jobs = new List<GeneratedJob>();
        var rejected = new List<ResourceRejection>();
        var used = new List<AssetReference>();
        var seenAssets = new HashSet<AssetReference>();
        var ordered = resources
            .OrderBy(r => KindOrder(r.Kind))
            .ThenBy(r => r.Key, StringComparer.Ordinal);
        foreach (var resource in ordered)
        {
            List<(string Name, YamlBlock Job)> generated;
            GenerationContext context;
            try
            {
                context = new GenerationContext(resource, settings, assets);
                generated = resource.Kind switch
                {
                    MonitoringKind.ServiceMonitor => ServiceMonitor(context),
                    MonitoringKind.PodMonitor => PodMonitor(context),
                    MonitoringKind.Probe => [Probe(context)],
                    MonitoringKind.ScrapeConfig => [ScrapeConfigResource(context)],
                    _ => throw new ResourceInvalidException($"unknown resource kind {resource.Kind}"),
                };
            }
            catch (ResourceInvalidException ex)
            {
                rejected.Add(new ResourceRejection(resource.Kind, resource.Namespace, resource.Name, ex.Message));
                continue;
            }

            foreach (var (name, job) in generated)
            {
                jobs.Add(new GeneratedJob(name, resource.Kind, resource.Namespace, resource.Name, YamlBlock.Document("scrape_configs", new List<object> { job })));
            }

            foreach (var reference in context.Used)
            {
                if (seenAssets.Add(reference))
                {
                    used.Add(reference);
                }
            }
        }

        var yaml = new StringBuilder("scrape_configs:");
        if (jobs.Count == 0)
        {
            yaml.Append(" []\n");
        }
        else
        {
            yaml.Append('\n');
            foreach (var job in jobs)
            {
                yaml.Append(job.Yaml, "scrape_configs:\n".Length, job.Yaml.Length - "scrape_configs:\n".Length);
            }
        }

        return new GenerationResult(yaml.ToString(), rejected, used) { Jobs = jobs };
    }

    /// <summary>
    /// Parses the generated jobs as upstream does (Prometheus defaults and validation, with a global section built
    /// from <paramref name="settings"/>). A job that Prometheus rejects rejects its resource (all of that resource's
    /// jobs are dropped, where upstream would fail the whole configuration); with
    /// <see cref="GeneratorSettings.DenyFsAccessThroughSms"/> a job that reads a file is dropped alone, as upstream
    /// does, with a rejection naming the job and the field.
    /// </summary>
    /// <param name="result">The output of <see cref="Generate"/>.</param>
    /// <param name="settings">The settings it was generated with.</param>
    /// <param name="validateRelabel">Validates one relabel rule; null checks each rule with Prometheus' validation and regex compilation.</param>
    public static ParsedJobs ParseJobs(GenerationResult result, GeneratorSettings settings, Func<Core.Relabeling.RelabelConfig, string?>? validateRelabel = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(settings);
        validateRelabel ??= ValidateRelabelRule;
        var global = GlobalSection(settings);
        var kept = new List<(GeneratedJob Source, ScrapeConfig Config)>();
        var rejected = new List<ResourceRejection>();
        var rejectedKeys = new HashSet<(MonitoringKind, string, string)>();
        var warnings = new List<string>();
        foreach (var job in result.Jobs)
        {
            var config = PrometheusConfigText.Parse(global + job.Yaml, job.JobName, validateRelabel, null, out var errors, out var jobWarnings);
            warnings.AddRange(jobWarnings.Select(w => $"{job.JobName}: {w}"));
            string? reason = null;
            if (errors.Count > 0)
            {
                reason = $"job {job.JobName}: {string.Join("; ", errors.Select(StripIndex))}";
            }
            else if (config.ScrapeConfigs.Count != 1)
            {
                reason = $"job {job.JobName}: the generated config holds no job";
            }
            else if (settings.DenyFsAccessThroughSms && FileReference(config.ScrapeConfigs[0]) is { } file)
            {
                // Upstream drops this job only; the resource's other jobs stay.
                rejected.Add(new ResourceRejection(job.Kind, job.Namespace, job.Name,
                    $"job {job.JobName}: dropping scrape config that references arbitrary file path ({file})"));
                continue;
            }

            if (reason is not null)
            {
                if (rejectedKeys.Add((job.Kind, job.Namespace, job.Name)))
                {
                    rejected.Add(new ResourceRejection(job.Kind, job.Namespace, job.Name, reason));
                }

                continue;
            }

            var sc = config.ScrapeConfigs[0];
            foreach (var k in sc.KubernetesSdConfigs)
            {
                k.KubeconfigFile = settings.KubeconfigFile;
            }

            kept.Add((job, sc));
        }

        // A resource is generated whole or not at all.
        var jobs = kept.Where(k => !rejectedKeys.Contains((k.Source.Kind, k.Source.Namespace, k.Source.Name))).Select(k => k.Config).ToList();
        return new ParsedJobs(jobs, rejected, warnings);
    }

    /// <summary>The <c>global</c> section upstream's synthetic Prometheus object produces.</summary>
    internal static string GlobalSection(GeneratorSettings settings)
    {
        var global = new YamlBlock().Add("scrape_interval", settings.ScrapeInterval.ToString());
        if (settings.EvaluationInterval != PromDuration.Zero)
        {
            global.Add("evaluation_interval", settings.EvaluationInterval.ToString());
        }

        if (settings.ScrapeProtocols.Count > 0)
        {
            global.Add("scrape_protocols", settings.ScrapeProtocols.Cast<object>().ToList());
        }

        return YamlBlock.Document("global", global);
    }

    /// <summary>The first file reference upstream's <c>deny_fs_access_through_sms</c> check finds, as <c>field: path</c>.</summary>
    internal static string? FileReference(ScrapeConfig sc)
    {
        var http = sc.HttpClient;
        if (!string.IsNullOrEmpty(http.Authorization?.CredentialsFile))
        {
            return "authorization.credentials_file: " + http.Authorization.CredentialsFile;
        }

        var tls = http.TlsConfig;
        return !string.IsNullOrEmpty(tls.CaFile) ? "tls_config.ca_file: " + tls.CaFile
            : !string.IsNullOrEmpty(tls.CertFile) ? "tls_config.cert_file: " + tls.CertFile
            : !string.IsNullOrEmpty(tls.KeyFile) ? "tls_config.key_file: " + tls.KeyFile
            : null;
    }

    private static string StripIndex(string error) =>
        error.StartsWith("scrape_configs[0].", StringComparison.Ordinal) ? error["scrape_configs[0].".Length..]
        : error.StartsWith("scrape_configs[0]: ", StringComparison.Ordinal) ? error["scrape_configs[0]: ".Length..]
        : error;

    private static string? ValidateRelabelRule(Core.Relabeling.RelabelConfig rule)
    {
        try
        {
            Core.Relabeling.Relabeler.Compile([rule]);
            return null;
        }
        catch (Core.Relabeling.RelabelConfigException ex)
        {
            return ex.Reason;
        }
    }

    private static int KindOrder(MonitoringKind kind) => kind switch
    {
        MonitoringKind.ServiceMonitor => 0,
        MonitoringKind.PodMonitor => 1,
        MonitoringKind.Probe => 2,
        _ => 3,
    };
}
