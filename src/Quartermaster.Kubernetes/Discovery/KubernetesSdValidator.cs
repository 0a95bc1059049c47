using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>Validation of a <c>kubernetes_sd_config</c> with Prometheus' messages (prometheus.md §3.6.1).</summary>
public static class KubernetesSdValidator
{
    public static readonly IReadOnlyList<string> Roles = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"];

    private static readonly Dictionary<string, string[]> AllowedSelectors = new(StringComparer.Ordinal)
    {
        ["pod"] = ["pod", "node"],
        ["service"] = ["service"],
        ["endpoints"] = ["pod", "service", "endpoints"],
        ["endpointslice"] = ["pod", "service", "endpointslice"],
        ["node"] = ["node"],
        ["ingress"] = ["ingress"],
    };

    /// <summary>Every problem with <paramref name="config"/>, in Prometheus' order and wording; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(KubernetesSdConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        if (config.Role.Length == 0)
        {
            errors.Add("role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
        }
        else if (!AllowedSelectors.ContainsKey(config.Role))
        {
            errors.Add($"unknown Kubernetes SD role \"{config.Role}\"");
        }

        var customHttp = !IsDefaultHttpClientConfig(config.HttpClient);
        if (config.KubeconfigFile.Length > 0 && config.ApiServer.Length > 0)
        {
            errors.Add("cannot use 'kubeconfig_file' and 'api_server' simultaneously");
        }

        if (config.KubeconfigFile.Length > 0 && customHttp)
        {
            errors.Add("cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
        }

        if (config.ApiServer.Length == 0 && config.KubeconfigFile.Length == 0 && customHttp)
        {
            errors.Add("to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
        }

        if (config.ApiServer.Length > 0 && config.OwnNamespace)
        {
            errors.Add("cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
        }

        if (config.KubeconfigFile.Length > 0 && config.OwnNamespace)
        {
            errors.Add("cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var selector in config.Selectors)
        {
            if (!seen.Add(selector.Role))
            {
                errors.Add($"duplicated selector role: {selector.Role}");
                continue;
            }

            if (AllowedSelectors.TryGetValue(config.Role, out var allowed) && !allowed.Contains(selector.Role, StringComparer.Ordinal))
            {
                errors.Add($"{config.Role} role supports only {string.Join(", ", allowed)} selectors");
            }
        }

        return errors;
    }

    /// <summary>True when no HTTP client setting differs from Prometheus' <c>DefaultHTTPClientConfig</c>.</summary>
    internal static bool IsDefaultHttpClientConfig(HttpClientConfig http)
    {
        var tls = http.TlsConfig;
        return http.BasicAuth is null && http.Authorization is null && http.OAuth2 is null
            && http.BearerToken.Length == 0 && http.BearerTokenFile.Length == 0
            && string.IsNullOrEmpty(http.ProxyUrl) && http.NoProxy.Length == 0 && !http.ProxyFromEnvironment
            && http.ProxyConnectHeader is null or { Count: 0 } && http.HttpHeaders is null or { Count: 0 }
            && http.FollowRedirects && http.EnableHttp2
            && string.IsNullOrEmpty(tls.Ca) && string.IsNullOrEmpty(tls.Cert) && tls.Key.Length == 0
            && string.IsNullOrEmpty(tls.CaFile) && string.IsNullOrEmpty(tls.CertFile) && string.IsNullOrEmpty(tls.KeyFile)
            && string.IsNullOrEmpty(tls.ServerName) && !tls.InsecureSkipVerify
            && string.IsNullOrEmpty(tls.MinVersion) && string.IsNullOrEmpty(tls.MaxVersion);
    }
}
