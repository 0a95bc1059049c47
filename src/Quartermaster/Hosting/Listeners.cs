using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using Quartermaster.Core.Config;

namespace Quartermaster.Hosting;

/// <summary>
/// The HTTP listener on <c>listen_addr</c> and, with <c>https.enabled</c>, the mutual-TLS listener on
/// <c>https.listen_addr</c> (spec upstream-ta.md §2.11). Both serve every route; only the TLS one hands out secrets.
/// </summary>
internal static class Listeners
{
    /// <summary>
    /// Configures Kestrel; throws <see cref="ConfigException"/> for an unusable listen address. TLS files that cannot
    /// be loaded do not stop the service: the HTTP listener serves, the HTTPS listener refuses handshakes until the
    /// files load (checked every 5 s), and the reason is logged and shown in <c>/readyz?verbose</c>.
    /// </summary>
    public static ServerCertificates? Configure(WebApplication app, TargetAllocatorConfig config)
    {
        var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        if (config.HttpServer.MaxConnections is { } maxConnections)
        {
            // A backstop below the request guard: connections beyond it are not accepted (read at start only).
            kestrel.Limits.MaxConcurrentConnections = maxConnections;
        }

        Listen(kestrel, config.ListenAddr, "listen_addr", null);
        if (!config.Https.Enabled)
        {
            return null;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Quartermaster.Https");
        var certificates = new ServerCertificates(config.Https, app.Services.GetRequiredService<TimeProvider>(), logger);
        if (app.Services.GetService<HttpsListenerState>() is { } state)
        {
            state.Certificates = certificates;
        }

        Listen(kestrel, config.Https.ListenAddr, "https.listen_addr", listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, _) => certificates.Current,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = (certificate, _, _) => certificates.IsTrustedClient(certificate),
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        }));
        return certificates;
    }

    /// <summary>Binds a Go-style address: <c>:8080</c> (every interface), <c>127.0.0.1:0</c>, <c>[::1]:8080</c>, <c>localhost:8080</c>.</summary>
    internal static void Listen(KestrelServerOptions kestrel, string address, string key, Action<ListenOptions>? configure)
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new ConfigException([$"{key}: \"{address}\" is not a valid listen address; expected host:port or :port"]);
        }

        var host = address[..colon].Trim('[', ']');
        configure ??= _ => { };
        if (host.Length == 0 || host == "0.0.0.0" || host == "::")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (host == "localhost")
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            kestrel.Listen(ip, port, configure);
        }
        else
        {
            var resolved = Dns.GetHostAddresses(host);
            if (resolved.Length == 0)
            {
                throw new ConfigException([$"{key}: host \"{host}\" does not resolve"]);
            }

            kestrel.Listen(resolved[0], port, configure);
        }
    }
}

/// <summary>
/// The HTTPS server certificate and the client CA, re-read when their files change. Unlike upstream, which re-reads
/// the CA only when the server certificate changes (§11 Q17), a CA rotation alone takes effect.
/// </summary>
internal sealed class ServerCertificates
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);
    private readonly HttpsServerConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private State? _state;
    private string? _loadError;
    private string _failedStamp = "";
    private long _lastCheck;

    public ServerCertificates(HttpsServerConfig config, TimeProvider time, ILogger? logger = null)
    {
        _config = config;
        _time = time;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _lastCheck = time.GetTimestamp();
        TryLoad();
    }

    /// <summary>The certificate to present; null while no usable one has loaded (the handshake is then refused).</summary>
    public X509Certificate2? Current
    {
        get
        {
            RefreshIfDue();
            return Volatile.Read(ref _state)?.Certificate;
        }
    }

    /// <summary>Why the current files cannot be used, or null when the served pair is the files' current content.</summary>
    public string? LoadError
    {
        get
        {
            RefreshIfDue();
            return Volatile.Read(ref _loadError);
        }
    }

    /// <summary>Whether a certificate has loaded (possibly an earlier one, kept while a rotation is half written).</summary>
    public bool HasCertificate => Volatile.Read(ref _state) is not null;

    public bool IsTrustedClient(X509Certificate2 certificate)
    {
        RefreshIfDue();
        if (Volatile.Read(ref _state) is not { } state)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(state.ClientCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }

    private static State Load(HttpsServerConfig config)
    {
        var errors = new List<string>();
        Require(config.TlsCertFilePath, "https.tls_cert_file_path", errors);
        Require(config.TlsKeyFilePath, "https.tls_key_file_path", errors);
        Require(config.CaFilePath, "https.ca_file_path", errors);
        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(config.TlsCertFilePath, config.TlsKeyFilePath);
        }
        catch (CryptographicException ex)
        {
            throw new ConfigException([$"https.tls_cert_file_path: cannot load the certificate and key from {config.TlsCertFilePath} and {config.TlsKeyFilePath}: {ex.Message}"]);
        }

        var cas = new X509Certificate2Collection();
        try
        {
            cas.ImportFromPemFile(config.CaFilePath);
        }
        catch (CryptographicException ex)
        {
            throw new ConfigException([$"https.ca_file_path: failed to parse CA certificate at {config.CaFilePath}: {ex.Message}"]);
        }

        if (cas.Count == 0)
        {
            throw new ConfigException([$"https.ca_file_path: failed to parse CA certificate at {config.CaFilePath}: no certificate found"]);
        }

        return new State(certificate, cas, Stamp(config));
    }

    private static void Require(string path, string key, List<string> errors)
    {
        if (string.IsNullOrEmpty(path))
        {
            errors.Add($"{key}: must be set when https.enabled is true");
        }
        else if (!File.Exists(path))
        {
            errors.Add($"{key}: {path} does not exist");
        }
    }

    private static string Stamp(HttpsServerConfig config) => string.Join(
        "|",
        new[] { config.TlsCertFilePath, config.TlsKeyFilePath, config.CaFilePath }
            .Select(p => File.Exists(p) ? File.GetLastWriteTimeUtc(p).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + new FileInfo(p).Length : "missing"));

    private void RefreshIfDue()
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Interlocked.Read(ref _lastCheck), now) < CheckInterval)
        {
            return;
        }

        lock (_gate)
        {
            if (_time.GetElapsedTime(_lastCheck, now) < CheckInterval)
            {
                return;
            }

            _lastCheck = now;
            var stamp = Stamp(_config);
            if (stamp == _state?.Stamp || stamp == _failedStamp)
            {
                return;
            }

            TryLoad();
        }
    }

    private void TryLoad()
    {
        var stamp = Stamp(_config);
        try
        {
            Volatile.Write(ref _state, Load(_config));
            Volatile.Write(ref _loadError, null);
            _failedStamp = "";
        }
        catch (ConfigException ex)
        {
            // Missing files or a half-written rotation: keep the last good pair (if any) and retry when the files
            // change. The HTTP listener is unaffected.
            Volatile.Write(ref _loadError, ex.Message);
            _failedStamp = stamp;
            HttpsLog.CertificatesNotLoaded(_logger, ex.Message, _state is not null);
        }
    }

    private sealed record State(X509Certificate2 Certificate, X509Certificate2Collection ClientCas, string Stamp);
}

/// <summary>The HTTPS listener's certificates, for readiness detail; unset when HTTPS is off.</summary>
internal sealed class HttpsListenerState
{
    public ServerCertificates? Certificates { get; set; }
}

internal static partial class HttpsLog
{
    [LoggerMessage(1300, LogLevel.Error,
        "HTTPS listener: the TLS files cannot be used ({Reason}); keeping the previous certificate: {KeptPrevious}. The HTTP listener keeps serving; the files are checked again every 5 s",
        EventName = "HttpsCertificatesNotLoaded")]
    public static partial void CertificatesNotLoaded(ILogger logger, string reason, bool keptPrevious);
}
