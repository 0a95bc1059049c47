using System.Diagnostics.Metrics;
using Quartermaster.Core.Config;
using Quartermaster.Core.Pipeline;
using Quartermaster.Kubernetes.PrometheusOperator;

namespace Quartermaster.Discovery;

/// <summary>
/// Runs the <see cref="PrometheusOperatorWatcher"/> while <c>prometheus_cr.enabled</c>, restarting it when its
/// settings change, and hands each generation to <see cref="Generated"/>.
/// </summary>
internal sealed class PrometheusCrService : IAsyncDisposable
{
    private readonly KubernetesClients _kubernetes;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Counter<long> _events;
    private PrometheusOperatorWatcher? _watcher;
    private string? _key;

    public PrometheusCrService(KubernetesClients kubernetes, TimeProvider time, ILoggerFactory loggerFactory, IMeterFactory meterFactory)
    {
        _kubernetes = kubernetes;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PrometheusCrService>();
        var meter = meterFactory.Create(new MeterOptions(PipelineMetrics.MeterName));
        _events = meter.CreateCounter<long>("opentelemetry_allocator_events", description: "Events produced by the allocator's watchers.");
        meter.CreateObservableGauge(
            "quartermaster_prometheus_cr_rejected_resources",
            () => new[]
            {
                new Measurement<long>(Current?.Rejected.Count ?? 0, new KeyValuePair<string, object?>("state", "rejected")),
                new Measurement<long>(Current?.KeptLastGood.Count ?? 0, new KeyValuePair<string, object?>("state", "kept_last_good")),
            },
            description: "Prometheus Operator resources that generate no jobs (rejected) or whose last good jobs are kept.");
    }

    /// <summary>Raised with each new generation, on the watcher's loop.</summary>
    public event Action<PrometheusOperatorOutput>? Generated;

    /// <summary>The last generation, or null when disabled or not generated yet.</summary>
    public PrometheusOperatorOutput? Current => _watcher?.Current;

    /// <summary>Minimum interval between generations; upstream's 5 s unless changed (tests shorten it).</summary>
    public TimeSpan MinInterval { get; set; } = PrometheusOperatorWatcherOptions.DefaultMinInterval;

    /// <summary>Starts, restarts or stops the watcher for <paramref name="config"/>.</summary>
    public void Apply(TargetAllocatorConfig config, Func<Core.Relabeling.RelabelConfig, string?>? validateRelabel = null)
    {
        var cr = config.PrometheusCr;
        var key = cr.Enabled
            ? string.Join('\n', config.CollectorNamespace, config.KubeConfigFilePath, cr.ScrapeInterval.ToString(), cr.EvaluationInterval.ToString(), System.Text.Json.JsonSerializer.Serialize(cr, SerializerOptions))
            : null;
        PrometheusOperatorWatcher? old;
        lock (_gate)
        {
            if (key == _key)
            {
                return;
            }

            _key = key;
            old = _watcher;
            _watcher = null;
            if (key is not null)
            {
                try
                {
                    var settings = GeneratorSettings.FromConfig(config) with { KubeconfigFile = config.KubeConfigFilePath };
                    var client = _kubernetes.DefaultClient();
                    var registry = _kubernetes.RegistryFor(new KubernetesSdConfig());
                    _watcher = new PrometheusOperatorWatcher(
                        client,
                        registry,
                        new PrometheusOperatorWatcherOptions { Config = cr, CollectorNamespace = config.CollectorNamespace, MinInterval = MinInterval },
                        OperatorResourceGenerator.For(settings),
                        output =>
                        {
                            // Upstream counts one event per generation of the Prometheus CR watcher.
                            _events.Add(1, new KeyValuePair<string, object?>("source", "EventSourcePrometheusCR"));
                            Generated?.Invoke(output);
                        },
                        _time,
                        _loggerFactory.CreateLogger<PrometheusOperatorWatcher>());
                    var watcher = _watcher;
                    _ = Task.Run(() => watcher.StartAsync(CancellationToken.None));
                }
                catch (ConfigException ex)
                {
                    Hosting.Log.ConfigWarning(_logger, "prometheus_cr: " + ex.Message);
                }
            }
        }

        if (old is not null)
        {
            _ = old.DisposeAsync().AsTask();
            if (key is null)
            {
                Generated?.Invoke(new PrometheusOperatorOutput([], [], [], [], 0));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        PrometheusOperatorWatcher? watcher;
        lock (_gate)
        {
            watcher = _watcher;
            _watcher = null;
        }

        if (watcher is not null)
        {
            await watcher.DisposeAsync();
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions SerializerOptions = new() { IncludeFields = false };
}
