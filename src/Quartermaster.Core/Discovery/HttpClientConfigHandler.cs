using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Quartermaster.Core.Config;

namespace Quartermaster.Core.Discovery;

/// <summary>Builds an HTTP handler and per-request authentication from a Prometheus <see cref="HttpClientConfig"/>.</summary>
public static class HttpClientConfigHandler
{
    private const int MaxRedirects = 10;

    /// <summary>
    /// Creates a handler honouring <c>follow_redirects</c>, <c>proxy_url</c> and <c>tls_config</c>.
    /// Certificate files are read now; unreadable files throw, as a Prometheus config load would fail.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(HttpClientConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = config.FollowRedirects,
            MaxAutomaticRedirections = MaxRedirects,
            AutomaticDecompression = DecompressionMethods.GZip,
            UseCookies = false,
            UseProxy = false,
        };

        if (!string.IsNullOrEmpty(config.ProxyUrl))
        {
            handler.Proxy = new WebProxy(new Uri(config.ProxyUrl, UriKind.Absolute));
            handler.UseProxy = true;
        }

        handler.SslOptions = CreateSslOptions(config.TlsConfig);
        return handler;
    }

    private static SslClientAuthenticationOptions CreateSslOptions(TlsConfig tls)
    {
        var options = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = ParseProtocols(tls.MinVersion, tls.MaxVersion),
        };

        var caPem = !string.IsNullOrEmpty(tls.CaFile) ? File.ReadAllText(tls.CaFile) : tls.Ca;
        X509Certificate2Collection? roots = null;
        if (!string.IsNullOrEmpty(caPem))
        {
            roots = [];
            roots.ImportFromPem(caPem);
            if (roots.Count == 0)
            {
                throw new ArgumentException("tls_config: unable to use specified CA cert: no certificates found");
            }
        }

        var certPem = !string.IsNullOrEmpty(tls.CertFile) ? File.ReadAllText(tls.CertFile) : tls.Cert;
        var keyPem = !string.IsNullOrEmpty(tls.KeyFile) ? File.ReadAllText(tls.KeyFile) : tls.Key;
        if (!string.IsNullOrEmpty(certPem) && !string.IsNullOrEmpty(keyPem))
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPem(certPem, keyPem)];
        }
        else if (!string.IsNullOrEmpty(certPem) || !string.IsNullOrEmpty(keyPem))
        {
            throw new ArgumentException("tls_config: client certificate and key must be configured together");
        }

        var serverName = string.IsNullOrEmpty(tls.ServerName) ? null : tls.ServerName;
        var insecure = tls.InsecureSkipVerify;
        if (insecure || roots is not null || serverName is not null)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                insecure || Verify(certificate, chain, errors, roots, serverName);
        }

        return options;
    }

    private static bool Verify(
        X509Certificate? certificate,
        X509Chain? presented,
        SslPolicyErrors errors,
        X509Certificate2Collection? roots,
        string? serverName)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        bool nameOk = serverName is null
            ? (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
            : leaf.MatchesHostname(serverName);
        if (!nameOk)
        {
            return false;
        }

        if (roots is null)
        {
            return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;
        }

        // With a configured CA, only that CA is trusted (Go's tls.Config.RootCAs).
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }

    private static SslProtocols ParseProtocols(string? min, string? max)
    {
        // Prometheus' default minimum is TLS 1.2; older versions are not offered.
        var tls13Only = string.Equals(min, "TLS13", StringComparison.OrdinalIgnoreCase);
        var tls12Only = string.Equals(max, "TLS12", StringComparison.OrdinalIgnoreCase);
        return (tls13Only, tls12Only) switch
        {
            (true, false) => SslProtocols.Tls13,
            (false, true) => SslProtocols.Tls12,
            _ => SslProtocols.Tls12 | SslProtocols.Tls13,
        };
    }

    /// <summary>
    /// Adds <c>authorization</c> or <c>basic_auth</c> to a request. Secret files are read on every request, so a
    /// rotated secret takes effect without a reload.
    /// </summary>
    public static void ApplyAuthentication(HttpRequestMessage request, HttpClientConfig config)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Authorization is { } authorization)
        {
            var credentials = !string.IsNullOrEmpty(authorization.CredentialsFile)
                ? ReadSecretFile(authorization.CredentialsFile, "authorization credentials")
                : authorization.Credentials;
            var type = string.IsNullOrEmpty(authorization.Type) ? "Bearer" : authorization.Type;
            request.Headers.TryAddWithoutValidation("Authorization", type + " " + credentials);
        }
        else if (config.BasicAuth is { } basic)
        {
            var username = !string.IsNullOrEmpty(basic.UsernameFile)
                ? ReadSecretFile(basic.UsernameFile, "basic auth username")
                : basic.Username;
            var password = !string.IsNullOrEmpty(basic.PasswordFile)
                ? ReadSecretFile(basic.PasswordFile, "basic auth password")
                : basic.Password;
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);
        }
    }

    private static string ReadSecretFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HttpRequestException($"unable to read {what} file {path}: {ex.Message}", ex);
        }
    }
}
