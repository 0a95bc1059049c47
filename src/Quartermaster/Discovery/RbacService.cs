using System.Diagnostics.Metrics;
using Quartermaster.Core.Config;
using Quartermaster.Core.Pipeline;
using Quartermaster.Hosting;
using Quartermaster.Kubernetes.Rbac;

namespace Quartermaster.Discovery;

/// <summary>
/// Checks, at start and after each configuration change, that the allocator may list and watch everything the
/// configuration reads, and names each missing permission in the log, <c>/readyz?verbose</c> and a metric.
/// </summary>
internal sealed class RbacService : IDisposable
{
    private readonly KubernetesClients _kubernetes;
    private readonly ILogger<RbacService> _logger;
    private readonly object _gate = new();
    private CancellationTokenSource? _cts;
    private IReadOnlyList<Permission> _missing = [];

    public RbacService(KubernetesClients kubernetes, IMeterFactory meterFactory, ILogger<RbacService> logger)
    {
        _kubernetes = kubernetes;
        _logger = logger;
        meterFactory.Create(new MeterOptions(PipelineMetrics.MeterName)).CreateObservableGauge(
            "quartermaster_rbac_missing_permission",
            () => Missing.Select(p => new Measurement<long>(
                1,
                new KeyValuePair<string, object?>("verb", p.Verb),
                new KeyValuePair<string, object?>("resource", p.Group.Length == 0 ? p.Resource : p.Resource + "." + p.Group),
                new KeyValuePair<string, object?>("namespace", p.Namespace))),
            description: "A permission the configuration needs that the API server denies (1 per missing permission).");
    }

    /// <summary>Permissions found missing by the last completed check.</summary>
    public IReadOnlyList<Permission> Missing => Volatile.Read(ref _missing);

    /// <summary>Why the last check could not run, or null.</summary>
    public string? LastError { get; private set; }

    public void Dispose()
    {
        lock (_gate)
        {
            _cts?.Cancel();
            _cts?.Dispose();
            _cts = null;
        }
    }

    /// <summary>Starts a check for <paramref name="config"/> in the background, cancelling one still running.</summary>
    public void Apply(TargetAllocatorConfig config)
    {
        var required = RbacPreflight.Required(config);
        CancellationTokenSource cts;
        lock (_gate)
        {
            // The previous check is cancelled, not disposed: its task may still be observing the token.
            _cts?.Cancel();
            cts = _cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        }

        if (required.Count == 0)
        {
            Volatile.Write(ref _missing, []);
            LastError = null;
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var missing = await RbacPreflight.MissingAsync(_kubernetes.DefaultClient(), required, cts.Token);
                Volatile.Write(ref _missing, missing);
                LastError = null;
                foreach (var p in missing)
                {
                    Log.PermissionMissing(_logger, p.ToString());
                }
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                LastError = ex.Message;
                Log.PermissionCheckFailed(_logger, ex.Message);
            }
        });
    }
}
