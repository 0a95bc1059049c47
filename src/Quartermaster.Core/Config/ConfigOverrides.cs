namespace Quartermaster.Core.Config;

/// <summary>
/// Command-line flags of the upstream allocator. A non-null property means the flag was given explicitly and
/// overrides the file and environment.
/// </summary>
public sealed class ConfigOverrides
{
    public static ConfigOverrides None { get; } = new();

    /// <summary><c>--listen-addr</c> → <c>listen_addr</c>.</summary>
    public string? ListenAddr { get; init; }

    /// <summary><c>--enable-prometheus-cr-watcher</c> → <c>prometheus_cr.enabled</c>.</summary>
    public bool? EnablePrometheusCrWatcher { get; init; }

    /// <summary><c>--kubeconfig-path</c> → <c>kube_config_file_path</c>.</summary>
    public string? KubeConfigPath { get; init; }

    /// <summary><c>--enable-https-server</c> → <c>https.enabled</c>.</summary>
    public bool? EnableHttpsServer { get; init; }

    /// <summary><c>--listen-addr-https</c> → <c>https.listen_addr</c>.</summary>
    public string? ListenAddrHttps { get; init; }

    /// <summary><c>--https-ca-file</c> → <c>https.ca_file_path</c>.</summary>
    public string? HttpsCaFile { get; init; }

    /// <summary><c>--https-tls-cert-file</c> → <c>https.tls_cert_file_path</c>.</summary>
    public string? HttpsTlsCertFile { get; init; }

    /// <summary><c>--https-tls-key-file</c> → <c>https.tls_key_file_path</c>.</summary>
    public string? HttpsTlsKeyFile { get; init; }

    /// <summary><c>--allow-insecure-auth-secrets</c> → <c>allow_insecure_auth_secrets</c>.</summary>
    public bool? AllowInsecureAuthSecrets { get; init; }
}
