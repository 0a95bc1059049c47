using Quartermaster.Core.Config;
using Quartermaster.Core.Pipeline;
using Quartermaster.Hosting;
using Quartermaster.Kubernetes.Collectors;

namespace Quartermaster.Discovery;

/// <summary>
/// Keeps the collector set current: the configured <c>collectors.static</c> list, or else the collector pods the
/// Kubernetes API reports. Restarts the pod watch only when the namespace or selector changes.
/// </summary>
internal sealed class CollectorService : IAsyncDisposable
{
    private readonly TargetPipeline _pipeline;
    private readonly KubernetesClients _kubernetes;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<CollectorService> _logger;
    private readonly object _gate = new();
    private (string Namespace, string Selector)? _watching;
    private CancellationTokenSource? _cts;
    private Task _running = Task.CompletedTask;

    public CollectorService(TargetPipeline pipeline, KubernetesClients kubernetes, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _pipeline = pipeline;
        _kubernetes = kubernetes;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<CollectorService>();
    }

    /// <summary>Why the collector source is not working, or null.</summary>
    public string? LastError { get; private set; }

    public void Apply(TargetAllocatorConfig config)
    {
        lock (_gate)
        {
            if (config.Collectors.Static is not null)
            {
                StopWatching();
                return;
            }

            var selector = CollectorWatcher.ToSelectorString(config.CollectorSelector);
            var wanted = (config.CollectorNamespace, selector);
            if (_watching == wanted)
            {
                return;
            }

            StopWatching();
            if (selector.Length == 0)
            {
                Log.SelectorSelectsEveryPod(_logger, config.CollectorNamespace);
            }

            CollectorWatcher watcher;
            try
            {
                watcher = new CollectorWatcher(_kubernetes.RegistryFor(new KubernetesSdConfig()), config.CollectorNamespace, config.CollectorSelector, _time, _loggerFactory.CreateLogger<CollectorWatcher>());
            }
            catch (ConfigException ex)
            {
                LastError = ex.Message;
                Log.NoCollectorSource(_logger, ex.Message);
                return;
            }

            LastError = null;
            _watching = wanted;
            var cts = new CancellationTokenSource();
            _cts = cts;
            _running = Task.Run(
                async () =>
                {
                    try
                    {
                        await watcher.RunAsync(_pipeline.SetCollectors, cts.Token);
                    }
                    catch (OperationCanceledException) when (cts.IsCancellationRequested)
                    {
                    }
                    catch (Exception ex)
                    {
                        LastError = ex.Message;
                        Log.CollectorWatchFailed(_logger, ex);
                    }
                },
                CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task running;
        lock (_gate)
        {
            StopWatching();
            running = _running;
        }

        await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void StopWatching()
    {
        _cts?.Cancel();
        _cts = null;
        _watching = null;
    }
}
