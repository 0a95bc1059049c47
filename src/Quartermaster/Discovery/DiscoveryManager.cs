using System.Diagnostics.Metrics;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Pipeline;
using Quartermaster.Hosting;
using Quartermaster.Kubernetes.Discovery;

namespace Quartermaster.Discovery;

/// <summary>
/// Runs the discovery providers of every configured job and feeds their updates to the pipeline. On a new
/// configuration only the jobs whose configuration changed get new providers; the others keep running untouched.
/// </summary>
internal sealed class DiscoveryManager : IAsyncDisposable
{
    private readonly TargetPipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<string, RunningJob> _running = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private readonly KubernetesClients _kubernetes;

    public DiscoveryManager(TargetPipeline pipeline, TimeProvider time, ILoggerFactory loggerFactory, IMeterFactory meterFactory, KubernetesClients kubernetes)
    {
        _kubernetes = kubernetes;
        _pipeline = pipeline;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DiscoveryManager>();
        var meter = meterFactory.Create(new MeterOptions(PipelineMetrics.MeterName));
        meter.CreateObservableCounter(
            "quartermaster_discovery_failures",
            () => Sources.Select(s => new Measurement<long>(s.Failures, Tags(s))),
            unit: "{failure}",
            description: "Failed refreshes of each discovery source since it was started; its last targets are kept.");
        meter.CreateObservableGauge(
            "quartermaster_discovery_source_failing",
            () => Sources.Select(s => new Measurement<long>(s.LastError is null ? 0 : 1, Tags(s))),
            description: "1 while the last refresh of a discovery source failed.");
        meter.CreateObservableGauge(
            "quartermaster_discovery_source_degraded",
            () => Sources.Select(s => new Measurement<long>(s.Warning is null ? 0 : 1, Tags(s))),
            description: "1 while a discovery source works in a degraded mode, e.g. a file_sd directory that cannot be "
                + "watched is re-read only every refresh_interval; the log says why.");
    }

    /// <summary>Every source's health, for status pages and metrics.</summary>
    public IReadOnlyList<SourceStatus> Sources
    {
        get
        {
            lock (_gate)
            {
                return _running.Values.SelectMany(r => r.Statuses).ToList();
            }
        }
    }

    /// <remarks>
    /// A job whose scrape config is unchanged keeps its running providers. <paramref name="fingerprints"/> may give each
    /// job's <see cref="ScrapeConfigsJson.SerializeJob"/> bytes with secrets, when the caller has them already.
    /// </remarks>
    public void Apply(IReadOnlyList<ScrapeConfig> jobs, string kubeconfigPath = "", IReadOnlyDictionary<string, byte[]>? fingerprints = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        lock (_gate)
        {
            _kubernetes.Configure(kubeconfigPath);
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var job in jobs)
            {
                wanted.Add(job.JobName);
                var fingerprint = fingerprints is not null && fingerprints.TryGetValue(job.JobName, out var given)
                    ? given
                    : ScrapeConfigsJson.SerializeJob(job, revealSecrets: true);
                if (_running.TryGetValue(job.JobName, out var running) && running.Fingerprint.AsSpan().SequenceEqual(fingerprint))
                {
                    continue;
                }

                running?.Stop();
                _running[job.JobName] = Start(job, fingerprint);
            }

            foreach (var name in _running.Keys.Where(k => !wanted.Contains(k)).ToList())
            {
                _running[name].Stop();
                _running.Remove(name);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<RunningJob> all;
        lock (_gate)
        {
            all = [.. _running.Values];
            _running.Clear();
        }

        foreach (var job in all)
        {
            job.Stop();
        }

        await Task.WhenAll(all.SelectMany(j => j.Tasks)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _kubernetes.DisposeAsync();
    }

    private RunningJob Start(ScrapeConfig job, byte[] fingerprint)
    {
        var cts = new CancellationTokenSource();
        var running = new RunningJob(fingerprint, cts);
        var providers = new List<(string Key, IDiscoveryProvider Provider)>();
        if (job.StaticConfigs.Count > 0)
        {
            providers.Add(("static", new StaticProvider(job.StaticConfigs)));
        }

        for (var i = 0; i < job.FileSdConfigs.Count; i++)
        {
            var status = NewStatus(job.JobName, "file_sd", string.Join(",", job.FileSdConfigs[i].Files));
            running.Statuses.Add(status);
            providers.Add(($"file_sd/{i}", new FileSdProvider(job.FileSdConfigs[i], status, _time, _loggerFactory.CreateLogger<FileSdProvider>())));
        }

        for (var i = 0; i < job.HttpSdConfigs.Count; i++)
        {
            var status = NewStatus(job.JobName, "http_sd", job.HttpSdConfigs[i].Url);
            running.Statuses.Add(status);
            providers.Add(($"http_sd/{i}", new HttpSdProvider(job.HttpSdConfigs[i], status, _time, _loggerFactory.CreateLogger<HttpSdProvider>())));
        }

        for (var i = 0; i < job.KubernetesSdConfigs.Count; i++)
        {
            var sd = job.KubernetesSdConfigs[i];
            var status = NewStatus(job.JobName, "kubernetes_sd", $"{sd.Role} {(sd.ApiServer.Length > 0 ? sd.ApiServer : "in-cluster/kubeconfig")}");
            running.Statuses.Add(status);
            try
            {
                providers.Add(($"kubernetes_sd/{i}", new KubernetesSdProvider(sd, _kubernetes.RegistryFor(sd), status, _loggerFactory.CreateLogger<KubernetesSdProvider>())));
            }
            catch (ConfigException ex)
            {
                // No API client (no kubeconfig, not in a cluster): the job stays configured and the source reports why.
                status.ReportFailure(ex.Message);
            }
        }

        foreach (var (key, provider) in providers)
        {
            var instance = new object();
            running.Tasks.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        await provider.RunAsync(groups => _pipeline.PublishGroups(job.JobName, key, instance, groups), cts.Token);
                    }
                    catch (OperationCanceledException) when (cts.IsCancellationRequested)
                    {
                    }
                    catch (Exception ex)
                    {
                        Log.DiscoveryCrashed(_logger, ex, provider.Mechanism, job.JobName);
                    }
                    finally
                    {
                        (provider as IDisposable)?.Dispose();
                    }
                },
                CancellationToken.None));
        }

        return running;
    }

    private static KeyValuePair<string, object?>[] Tags(SourceStatus s) =>
    [
        new("job_name", s.Job), new("mechanism", s.Mechanism), new("source", s.Name),
    ];

    private SourceStatus NewStatus(string job, string mechanism, string name) =>
        new(job, mechanism, name, (s, error) =>
        {
            if (error is null)
            {
                Log.DiscoveryRecovered(_logger, s.Mechanism, s.Name, s.Job);
            }
            else
            {
                Log.DiscoveryFailing(_logger, s.Mechanism, s.Name, s.Job, error);
            }
        });

    private sealed class RunningJob(byte[] fingerprint, CancellationTokenSource cts)
    {
        public byte[] Fingerprint { get; } = fingerprint;

        public List<Task> Tasks { get; } = [];

        public List<SourceStatus> Statuses { get; } = [];

        public void Stop()
        {
            // Not disposed: providers may still be unwinding on the token.
            cts.Cancel();
        }
    }
}
