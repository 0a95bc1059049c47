using k8s;
using k8s.Exceptions;
using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes;

/// <summary>Builds Kubernetes API clients the way the upstream allocator and Prometheus do.</summary>
public static class KubernetesClientFactory
{
    /// <summary>
    /// The allocator's own client (upstream-ta.md §1.1 step 5): the kubeconfig at <paramref name="kubeconfigPath"/>,
    /// or the in-cluster configuration when that file does not exist. Any other problem with the file is an error.
    /// </summary>
    /// <param name="kubeconfigPath">The kubeconfig path; null or empty means in-cluster.</param>
    /// <param name="usedKubeconfigPath">The path actually used, or "" when the in-cluster configuration was used.</param>
    /// <exception cref="ConfigException">The kubeconfig does not parse, or neither it nor the in-cluster config exists.</exception>
    public static KubernetesClientConfiguration BuildConfiguration(string? kubeconfigPath, out string usedKubeconfigPath)
    {
        if (!string.IsNullOrEmpty(kubeconfigPath) && File.Exists(kubeconfigPath))
        {
            try
            {
                usedKubeconfigPath = kubeconfigPath;
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
            }
            catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException
                                           or YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
            {
                throw new ConfigException($"kubeconfig {kubeconfigPath}: {ex.Message}", ex);
            }
        }

        // Upstream falls back only when the file is missing (fs.PathError); the in-cluster config then applies.
        usedKubeconfigPath = "";
        try
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }
        catch (KubeConfigException ex)
        {
            throw new ConfigException(
                $"kubeconfig {kubeconfigPath} does not exist and the in-cluster configuration is unavailable: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The client one <c>kubernetes_sd_config</c> uses: its <c>kubeconfig_file</c>; else its <c>api_server</c> with the
    /// bearer token and TLS settings of its HTTP client config; else <paramref name="defaultConfiguration"/> (in cluster or
    /// the allocator's kubeconfig, as the operator points every kubernetes_sd_config at the allocator's own).
    /// </summary>
    public static KubernetesClientConfiguration ForSdConfig(KubernetesSdConfig config, KubernetesClientConfiguration defaultConfiguration)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(defaultConfiguration);
        if (config.KubeconfigFile.Length > 0)
        {
            try
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(config.KubeconfigFile);
            }
            catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException
                                           or YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
            {
                throw new ConfigException($"kubernetes_sd_configs.kubeconfig_file {config.KubeconfigFile}: {ex.Message}", ex);
            }
        }

        if (config.ApiServer.Length == 0)
        {
            return defaultConfiguration;
        }

        var http = config.HttpClient;
        var token = http.BearerToken;
        if (token.Length == 0 && http.BearerTokenFile.Length > 0)
        {
            token = File.ReadAllText(http.BearerTokenFile).Trim();
        }

        if (token.Length == 0 && http.Authorization is { } authorization)
        {
            token = authorization.CredentialsFile is { Length: > 0 } file ? File.ReadAllText(file).Trim() : authorization.Credentials;
        }

        return new KubernetesClientConfiguration
        {
            Host = config.ApiServer,
            AccessToken = token.Length > 0 ? token : null,
            Username = http.BasicAuth?.Username,
            Password = http.BasicAuth?.Password,
            SkipTlsVerify = http.TlsConfig.InsecureSkipVerify,
            SslCaCerts = http.TlsConfig.CaFile is { Length: > 0 } caFile
                ? LoadCaFile(caFile)
                : null,
            TlsServerName = http.TlsConfig.ServerName,
        };
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection LoadCaFile(string path)
    {
        var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }
}
