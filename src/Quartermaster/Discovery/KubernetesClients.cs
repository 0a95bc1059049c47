using k8s;
using Quartermaster.Core.Config;
using Quartermaster.Kubernetes;
using Quartermaster.Kubernetes.Watch;

namespace Quartermaster.Discovery;

/// <summary>
/// The Kubernetes API clients and their shared watch caches, created on first use: a configuration with no
/// Kubernetes jobs never contacts an API server. Jobs that use the same API server share one client and its caches.
/// </summary>
internal sealed class KubernetesClients : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Dictionary<string, (IKubernetes Client, KubernetesCacheRegistry Registry)> _registries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private string _kubeconfigPath = "";
    private KubernetesClientConfiguration? _default;

    public KubernetesClients(TimeProvider time, ILoggerFactory loggerFactory)
    {
        _time = time;
        _loggerFactory = loggerFactory;
    }

    /// <summary>Sets the allocator's own kubeconfig (<c>kube_config_file_path</c>); clients made later use it.</summary>
    public void Configure(string kubeconfigPath)
    {
        lock (_gate)
        {
            if (kubeconfigPath != _kubeconfigPath)
            {
                _kubeconfigPath = kubeconfigPath;
                _default = null;
            }
        }
    }

    /// <summary>The client with the allocator's own identity; throws <see cref="ConfigException"/> when none can be built.</summary>
    public IKubernetes DefaultClient()
    {
        lock (_gate)
        {
            RegistryFor(new KubernetesSdConfig());
            return _registries[""].Client;
        }
    }

    /// <summary>The cache registry for one <c>kubernetes_sd_config</c>; throws <see cref="ConfigException"/> when no client can be built.</summary>
    public KubernetesCacheRegistry RegistryFor(KubernetesSdConfig config)
    {
        lock (_gate)
        {
            _default ??= KubernetesClientFactory.BuildConfiguration(_kubeconfigPath, out _);
            var configuration = KubernetesClientFactory.ForSdConfig(config, _default);
            var key = ReferenceEquals(configuration, _default) ? "" : config.KubeconfigFile + "|" + config.ApiServer;
            if (!_registries.TryGetValue(key, out var entry))
            {
                var client = new k8s.Kubernetes(configuration);
                entry = (client, new KubernetesCacheRegistry(client, _time, _loggerFactory));
                _registries.Add(key, entry);
            }

            return entry.Registry;
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<(IKubernetes Client, KubernetesCacheRegistry Registry)> all;
        lock (_gate)
        {
            all = [.. _registries.Values];
            _registries.Clear();
        }

        foreach (var (client, registry) in all)
        {
            await registry.DisposeAsync();
            client.Dispose();
        }
    }
}
