using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using k8s;
using k8s.Exceptions;

namespace Quartermaster.Cli.Kube;

/// <summary>
/// Reaches the allocator through the Kubernetes API server's service proxy
/// (<c>/api/v1/namespaces/{ns}/services/{name}[:{port}]/proxy/...</c>) with the kubeconfig's credentials, so no
/// port-forward is needed.
/// </summary>
internal static partial class ServiceProxy
{
    /// <summary>Parses <c>[namespace/]name[:port]</c>.</summary>
    public static bool TryParseService(string? value, out string? ns, out string name, out string? port)
    {
        var m = value is null ? Match.Empty : ServiceReference().Match(value);
        ns = m.Groups["ns"].Success ? m.Groups["ns"].Value : null;
        name = m.Groups["name"].Value;
        port = m.Groups["port"].Success ? m.Groups["port"].Value : null;
        return m.Success;
    }

    /// <summary>
    /// A client for the service. Problems with the kubeconfig or context do not throw: the client fails its first
    /// request with one line saying what is wrong.
    /// </summary>
    public static AllocatorClient CreateClient(string service, string? kubeconfig, string? context)
    {
        if (!TryParseService(service, out var ns, out var name, out var port))
        {
            return AllocatorClient.Failed($"service {service}", $"--service: \"{service}\" is not [namespace/]name[:port]");
        }

        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(
                string.IsNullOrEmpty(kubeconfig) ? null : kubeconfig, string.IsNullOrEmpty(context) ? null : context);
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException
                                       or YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
        {
            var file = string.IsNullOrEmpty(kubeconfig) ? "the default kubeconfig" : $"kubeconfig {kubeconfig}";
            return AllocatorClient.Failed($"service {service}", $"cannot use {file}: {ex.Message}");
        }

        ns ??= string.IsNullOrEmpty(config.Namespace) ? "default" : config.Namespace;
        var host = config.Host.TrimEnd('/');
        var proxy = new Uri(
            $"{host}/api/v1/namespaces/{Uri.EscapeDataString(ns)}/services/{Uri.EscapeDataString(name)}{(port is null ? "" : ":" + port)}/proxy");
        SocketsHttpHandler transport;
        try
        {
            transport = Transport(config);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException or IOException or UnauthorizedAccessException)
        {
            return AllocatorClient.Failed($"service {service}", $"cannot load the kubeconfig user's client certificate: {ex.Message}");
        }

        var http = new HttpClient(new AuthenticationHandler(config) { InnerHandler = transport }) { Timeout = TimeSpan.FromSeconds(30) };
        return new AllocatorClient(proxy, http, $"service {ns}/{name}{(port is null ? "" : ":" + port)} via {host}");
    }

    private static SocketsHttpHandler Transport(KubernetesClientConfiguration config)
    {
        var handler = new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All };
        if (!config.Host.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return handler;
        }

        var ssl = new SslClientAuthenticationOptions { TargetHost = config.TlsServerName };
        if (config.ClientCertificateData is not null || config.ClientCertificateFilePath is not null)
        {
            ssl.ClientCertificates = [ClientCertificate(config)];
        }

        if (config.SkipTlsVerify)
        {
            // The kubeconfig's insecure-skip-tls-verify asks for exactly this, as kubectl honors it.
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (config.SslCaCerts is { Count: > 0 } authorities)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        handler.SslOptions = ssl;
        return handler;
    }

    private static X509Certificate2 ClientCertificate(KubernetesClientConfiguration config)
    {
        var certificate = config.ClientCertificateData is { } certData
            ? Encoding.UTF8.GetString(Convert.FromBase64String(certData))
            : File.ReadAllText(config.ClientCertificateFilePath!);
        var key = config.ClientCertificateKeyData is { } keyData
            ? Encoding.UTF8.GetString(Convert.FromBase64String(keyData))
            : File.ReadAllText(config.ClientKeyFilePath!);
        return X509Certificate2.CreateFromPem(certificate, key);
    }

    [GeneratedRegex(@"^((?<ns>[a-z0-9]([-a-z0-9]*[a-z0-9])?)/)?(?<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)(:(?<port>[A-Za-z0-9-]+))?$")]
    private static partial Regex ServiceReference();

    /// <summary>Adds the kubeconfig user's credentials: a token (static or from a provider such as exec) or basic auth.</summary>
    private sealed class AuthenticationHandler(KubernetesClientConfiguration config) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (config.TokenProvider is { } provider)
            {
                request.Headers.Authorization = await provider.GetAuthenticationHeaderAsync(cancellationToken);
            }
            else if (!string.IsNullOrEmpty(config.AccessToken))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", config.AccessToken);
            }
            else if (!string.IsNullOrEmpty(config.Username))
            {
                var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
