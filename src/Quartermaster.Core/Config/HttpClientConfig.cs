namespace Quartermaster.Core.Config;

/// <summary>Prometheus' common HTTP client settings (prometheus/common <c>config.HTTPClientConfig</c>).</summary>
public sealed class HttpClientConfig
{
    public BasicAuth? BasicAuth { get; set; }

    public Authorization? Authorization { get; set; }

    public TlsConfig TlsConfig { get; set; } = new();

    public bool FollowRedirects { get; set; } = true;

    public bool EnableHttp2 { get; set; } = true;

    public string? ProxyUrl { get; set; }

    public OAuth2Config? OAuth2 { get; set; }

    /// <summary>A secret. Validation moves it into <see cref="Authorization"/>, so a validated config has none.</summary>
    public string BearerToken { get; set; } = "";

    public string BearerTokenFile { get; set; } = "";

    public string NoProxy { get; set; } = "";

    public bool ProxyFromEnvironment { get; set; }

    /// <summary><c>proxy_connect_header</c>: header name to values; the values are secrets.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? ProxyConnectHeader { get; set; }

    /// <summary><c>http_headers</c>: header name to plain values, secret values and files.</summary>
    public IReadOnlyDictionary<string, HttpHeaderValues>? HttpHeaders { get; set; }
}

public sealed class BasicAuth
{
    public string Username { get; set; } = "";

    public string? UsernameFile { get; set; }

    /// <summary>A secret: redacted as <c>&lt;secret&gt;</c> unless the caller may see it.</summary>
    public string Password { get; set; } = "";

    public string? PasswordFile { get; set; }

    public string? UsernameRef { get; set; }

    public string? PasswordRef { get; set; }
}

public sealed class Authorization
{
    public string Type { get; set; } = "Bearer";

    /// <summary>A secret.</summary>
    public string Credentials { get; set; } = "";

    public string? CredentialsFile { get; set; }

    public string? CredentialsRef { get; set; }
}

public sealed class TlsConfig
{
    public string? Ca { get; set; }

    public string? Cert { get; set; }

    /// <summary>A secret.</summary>
    public string Key { get; set; } = "";

    public string? CaFile { get; set; }

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    public string? ServerName { get; set; }

    public bool InsecureSkipVerify { get; set; }

    public string? MinVersion { get; set; }

    public string? MaxVersion { get; set; }

    public string? CaRef { get; set; }

    public string? CertRef { get; set; }

    public string? KeyRef { get; set; }
}
