using System.Diagnostics.Metrics;
using System.IO.Hashing;
using System.Text;
using Quartermaster.Core.Allocation;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Pipeline;
using Quartermaster.Core.Relabeling;
using Quartermaster.Discovery;

namespace Quartermaster.Hosting;

/// <summary>
/// Loads the configuration, applies it to the pipeline and discovery, and re-applies it whenever the file changes.
/// A rejected reload is logged and counted and the last good configuration keeps serving.
/// </summary>
internal sealed class ConfigService : BackgroundService
{
    public static readonly IReadOnlySet<string> SupportedMechanisms = new HashSet<string>(StringComparer.Ordinal)
    {
        "static_configs", "file_sd_configs", "http_sd_configs", "kubernetes_sd_configs",
    };

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private readonly ConfigSource _source;
    private readonly HostOptions _options;
    private readonly TargetPipeline _pipeline;
    private readonly DiscoveryManager _discovery;
    private readonly CollectorService _collectors;
    private readonly RbacService _rbac;
    private readonly PrometheusCrService _prometheusCr;
    private readonly object _applyGate = new();
    private IReadOnlyList<ScrapeConfig> _crJobs = [];
    private IReadOnlyList<string> _secretsWithheld = [];
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigService> _logger;
    private long _applied;
    private long _rejected;
    private ulong _rejectedHash;
    private readonly Func<string, string?> _environment;
    private ulong _appliedHash;
    private bool _hasApplied;
    private IAllocationStrategy? _strategy;
    private string? _strategyKey;

    public ConfigService(
        ConfigSource source,
        HostOptions options,
        TargetPipeline pipeline,
        DiscoveryManager discovery,
        CollectorService collectors,
        RbacService rbac,
        PrometheusCrService prometheusCr,
        TimeProvider time,
        IMeterFactory meterFactory,
        ILogger<ConfigService> logger,
        Func<string, string?>? environment = null)
    {
        _source = source;
        _options = options;
        _pipeline = pipeline;
        _discovery = discovery;
        _collectors = collectors;
        _rbac = rbac;
        _prometheusCr = prometheusCr;
        _prometheusCr.Generated += OnGenerated;
        _time = time;
        _logger = logger;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        var meter = meterFactory.Create(new MeterOptions(PipelineMetrics.MeterName));
        // Observed rather than added to, so the load at start, which happens before the exporter listens, is counted.
        meter.CreateObservableCounter(
            "quartermaster_config_reloads",
            () => new[]
            {
                new Measurement<long>(Interlocked.Read(ref _applied), new KeyValuePair<string, object?>("result", "applied")),
                new Measurement<long>(Interlocked.Read(ref _rejected), new KeyValuePair<string, object?>("result", "rejected")),
            },
            unit: "{reload}",
            description: "Configuration loads by result (applied or rejected).");
        meter.CreateObservableGauge(
            "quartermaster_jobs_secrets_withheld",
            () => (long)SecretsWithheld.Count,
            description: "Jobs whose credentials are redacted on every listener: plain HTTP only and allow_insecure_auth_secrets off.");
    }

    /// <summary>
    /// Jobs that carry secrets no collector can receive: no HTTPS listener and <c>allow_insecure_auth_secrets</c> off,
    /// so <c>/scrape_configs</c> serves them redacted.
    /// </summary>
    public IReadOnlyList<string> SecretsWithheld => Volatile.Read(ref _secretsWithheld);

    /// <summary>The configuration in force.</summary>
    public TargetAllocatorConfig? Current { get; private set; }

    /// <summary>The error of the last rejected reload, cleared by the next good one.</summary>
    public string? LastError { get; private set; }

    /// <summary>Loads and applies the configuration once; throws <see cref="ConfigException"/> when it is invalid.</summary>
    public TargetAllocatorConfig LoadInitial()
    {
        if (_source.IsEmbedded)
        {
            Log.EmbeddedConfig(_logger, TargetAllocatorConfig.DefaultConfigFilePath);
        }

        var text = _source.ReadText();
        var config = Parse(text);
        Apply(config, text);
        return config;
    }

    /// <summary>Reads the source again and applies it if its content changed. Returns whether it was applied.</summary>
    public bool Reload()
    {
        string text;
        try
        {
            text = _source.ReadText();
        }
        catch (IOException ex)
        {
            Reject(ex.Message);
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            Reject(ex.Message);
            return false;
        }

        var hash = Hash(text);
        if ((_hasApplied && hash == _appliedHash) || (LastError is not null && hash == _rejectedHash))
        {
            // Unchanged since the last applied or rejected read: nothing to do, nothing to log again.
            return false;
        }

        Log.ConfigChanged(_logger, _source.DisplayName);
        try
        {
            Apply(Parse(text), text);
            return true;
        }
        catch (ConfigException ex)
        {
            _rejectedHash = hash;
            Reject(ex.Message);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_source.Path is null)
        {
            return;
        }

        // A watcher gives prompt reloads; the poll catches what watchers miss (ConfigMap symlink swaps, network mounts).
        using var changed = new SemaphoreSlim(0);
        using var watcher = CreateWatcher(_source.Path, changed);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await changed.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            // Let a burst of writes settle before reading.
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, stoppingToken);
            while (changed.CurrentCount > 0)
            {
                await changed.WaitAsync(stoppingToken);
            }

            Reload();
        }
    }

    /// <summary>
    /// Watches the config file's directory through the process-wide registry file_sd uses (one inotify instance for
    /// everything); null when it cannot be watched, and the 5 s poll notices every change alone.
    /// </summary>
    private static DirectoryWatchRegistry.Subscription? CreateWatcher(string path, SemaphoreSlim changed)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        // Only the config file itself, and the "..data" link Kubernetes swaps when a mounted ConfigMap changes; null
        // means notifications were lost, so anything may have changed.
        var name = System.IO.Path.GetFileName(path);
        try
        {
            return DirectoryWatchRegistry.Shared.Watch(directory, changedName =>
            {
                if (changedName is null || changedName == name || changedName.StartsWith("..", StringComparison.Ordinal))
                {
                    changed.Release();
                }
            });
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static ulong Hash(string text) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text));

    private TargetAllocatorConfig Parse(string text)
    {
        var config = TargetAllocatorConfigLoader.Load(
            text, _source.DisplayName, _environment, _options.Overrides, ValidateRelabelRule, SupportedMechanisms);
        foreach (var warning in config.Warnings)
        {
            Log.ConfigWarning(_logger, warning);
        }

        return config;
    }

    /// <summary>A rule is valid only if it also compiles: Prometheus rejects a bad regex when it loads the config.</summary>
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

    private void Reject(string errors)
    {
        if (errors == LastError)
        {
            return;
        }

        LastError = errors;
        Interlocked.Increment(ref _rejected);
        Log.ConfigRejected(_logger, _source.DisplayName, errors);
    }

    private void Apply(TargetAllocatorConfig config, string text)
    {
        lock (_applyGate)
        {
            if (!config.PrometheusCr.Enabled)
            {
                _crJobs = [];
            }

            var strategyKey = config.AllocationStrategy + "/" + config.AllocationFallbackStrategy + "/" + config.ConsistentHashingRingVersion;
            if (_strategy is null || _strategyKey != strategyKey)
            {
                _strategy = Core.Allocation.StrategyFactory.Create(config);
                _strategyKey = strategyKey;
            }

            if (config.Collectors.Static is { Count: 0 })
            {
                Log.NoCollectors(_logger);
            }

            var (jobs, version) = ApplyJobs(config);
            _collectors.Apply(config);
            _rbac.Apply(config);
            _prometheusCr.Apply(config);
            Current = config;
            LastError = null;
            _appliedHash = Hash(text);
            _hasApplied = true;
            Interlocked.Increment(ref _applied);
            Log.ConfigApplied(_logger, _source.DisplayName, jobs, _strategy.Name, version);
        }
    }

    /// <summary>A new generation of Prometheus Operator jobs: served beside the configuration's own jobs.</summary>
    private void OnGenerated(Kubernetes.PrometheusOperator.PrometheusOperatorOutput output)
    {
        lock (_applyGate)
        {
            _crJobs = output.Jobs;
            if (Current is { } config)
            {
                ApplyJobs(config);
            }
        }
    }

    /// <summary>Applies the configuration's jobs plus the generated ones to the pipeline and discovery.</summary>
    private (int Jobs, string Version) ApplyJobs(TargetAllocatorConfig config)
    {
        var fileJobs = config.PromConfig?.ScrapeConfigs ?? [];
        var names = new HashSet<string>(fileJobs.Select(j => j.JobName), StringComparer.Ordinal);
        // A configured job keeps its name; a generated job of the same name is left out.
        var jobs = fileJobs.Concat(_crJobs.Where(j => names.Add(j.JobName))).ToList();
        // Each job is serialized once per form and the bytes reused: for both bodies, for telling which jobs hold
        // secrets, and as discovery's fingerprint (thousands of jobs made this most of a reload).
        var perJob = jobs.Select(j => (Job: j.JobName, Secrets: ScrapeConfigsJson.SerializeJob(j, revealSecrets: true), Redacted: ScrapeConfigsJson.SerializeJob(j, revealSecrets: false))).ToList();
        var secrets = ScrapeConfigsJson.Assemble(perJob.Select(p => KeyValuePair.Create(p.Job, p.Secrets)));
        var redacted = ScrapeConfigsJson.Assemble(perJob.Select(p => KeyValuePair.Create(p.Job, p.Redacted)));
        var withheld = new List<string>();
        if (!config.Https.Enabled && !config.AllowInsecureAuthSecrets)
        {
            withheld.AddRange(perJob.Where(p => !p.Secrets.AsSpan().SequenceEqual(p.Redacted)).Select(p => p.Job));
        }

        var previouslyWithheld = new HashSet<string>(SecretsWithheld, StringComparer.Ordinal);
        foreach (var job in withheld.Where(j => !previouslyWithheld.Contains(j)))
        {
            Log.SecretsWithheld(_logger, job);
        }

        Volatile.Write(ref _secretsWithheld, withheld);
        var version = XxHash64.HashToUInt64(secrets).ToString("x16", System.Globalization.CultureInfo.InvariantCulture)[..8];
        _pipeline.ApplyConfig(new PipelineConfig
        {
            Jobs = jobs,
            RelabelFiltering = config.RelabelFilteringEnabled,
            ScrapeConfigsRedacted = redacted,
            ScrapeConfigsWithSecrets = secrets,
            Version = version,
            Strategy = _strategy,
            StaticCollectors = config.Collectors.Static?.Select(c => new CollectorInfo(c.Id, c.Node)).ToList(),
            CollectorNotReadyGracePeriod = config.CollectorNotReadyGracePeriod,
            CompressBodies = config.HttpServer.CompressStoredBodies,
        });
        _discovery.Apply(jobs, config.KubeConfigFilePath, perJob.ToDictionary(p => p.Job, p => p.Secrets, StringComparer.Ordinal));
        return (jobs.Count, version);
    }
}
