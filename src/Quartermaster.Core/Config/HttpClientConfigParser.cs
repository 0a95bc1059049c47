using YamlDotNet.RepresentationModel;

namespace Quartermaster.Core.Config;

/// <summary>Decodes and validates Prometheus' inlined HTTP client settings (prometheus/common <c>HTTPClientConfig</c>).</summary>
internal sealed class HttpClientConfigParser
{
    public static readonly HashSet<string> Keys = new(StringComparer.Ordinal)
    {
        "basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file", "tls_config", "follow_redirects",
        "enable_http2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers",
    };

    private static readonly string[] TlsKeys =
        ["ca", "cert", "key", "ca_file", "cert_file", "key_file", "ca_ref", "cert_ref", "key_ref", "server_name", "insecure_skip_verify", "min_version", "max_version"];

    private static readonly string[] OAuth2Keys =
    [
        "client_id", "client_secret", "client_secret_file", "client_secret_ref", "scopes", "token_url", "endpoint_params",
        "tls_config", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header",
    ];

    private readonly YamlReader _r;

    public HttpClientConfigParser(YamlReader reader) => _r = reader;

    public HttpClientConfig Parse(Dictionary<string, YamlNode> keys, string path)
    {
        string P(string k) => YamlReader.Join(path, k);
        var c = new HttpClientConfig();
        if (keys.TryGetValue("basic_auth", out var n) && _r.Mapping(n, P("basic_auth")) is { } ba)
        {
            var k = _r.MatchKeys(ba, P("basic_auth"), ["username", "username_file", "username_ref", "password", "password_file", "password_ref"], caseInsensitive: false);
            c.BasicAuth = new BasicAuth
            {
                Username = Str(k, "username", P("basic_auth")) ?? "",
                UsernameFile = Str(k, "username_file", P("basic_auth")),
                UsernameRef = Str(k, "username_ref", P("basic_auth")),
                Password = Str(k, "password", P("basic_auth")) ?? "",
                PasswordFile = Str(k, "password_file", P("basic_auth")),
                PasswordRef = Str(k, "password_ref", P("basic_auth")),
            };
        }

        if (keys.TryGetValue("authorization", out n) && _r.Mapping(n, P("authorization")) is { } au)
        {
            var k = _r.MatchKeys(au, P("authorization"), ["type", "credentials", "credentials_file", "credentials_ref"], caseInsensitive: false);
            c.Authorization = new Authorization
            {
                Type = Str(k, "type", P("authorization")) ?? "",
                Credentials = Str(k, "credentials", P("authorization")) ?? "",
                CredentialsFile = Str(k, "credentials_file", P("authorization")),
                CredentialsRef = Str(k, "credentials_ref", P("authorization")),
            };
        }

        if (keys.TryGetValue("oauth2", out n) && _r.Mapping(n, P("oauth2")) is { } oa)
        {
            var op = P("oauth2");
            var k = _r.MatchKeys(oa, op, OAuth2Keys, caseInsensitive: false);
            c.OAuth2 = new OAuth2Config
            {
                ClientId = Str(k, "client_id", op) ?? "",
                ClientSecret = Str(k, "client_secret", op) ?? "",
                ClientSecretFile = Str(k, "client_secret_file", op) ?? "",
                ClientSecretRef = Str(k, "client_secret_ref", op) ?? "",
                Scopes = k.TryGetValue("scopes", out var s) ? _r.LooseStringList(s, YamlReader.Join(op, "scopes")) : [],
                TokenUrl = Str(k, "token_url", op) ?? "",
                EndpointParams = k.TryGetValue("endpoint_params", out s) ? ToDictionary(_r.LooseStringMap(s, YamlReader.Join(op, "endpoint_params"))) : null,
                TlsConfig = k.TryGetValue("tls_config", out s) ? ParseTls(s, YamlReader.Join(op, "tls_config")) : new TlsConfig(),
                ProxyUrl = Str(k, "proxy_url", op),
                NoProxy = Str(k, "no_proxy", op) ?? "",
                ProxyFromEnvironment = k.TryGetValue("proxy_from_environment", out s) && (_r.LooseBool(s, YamlReader.Join(op, "proxy_from_environment")) ?? false),
                ProxyConnectHeader = k.TryGetValue("proxy_connect_header", out s) ? ParseHeaderLists(s, YamlReader.Join(op, "proxy_connect_header")) : null,
            };
        }

        c.BearerToken = Str(keys, "bearer_token", path) ?? "";
        c.BearerTokenFile = Str(keys, "bearer_token_file", path) ?? "";
        if (keys.TryGetValue("tls_config", out n))
        {
            c.TlsConfig = ParseTls(n, P("tls_config"));
        }

        c.FollowRedirects = keys.TryGetValue("follow_redirects", out n) ? _r.LooseBool(n, P("follow_redirects")) ?? false : true;
        c.EnableHttp2 = keys.TryGetValue("enable_http2", out n) ? _r.LooseBool(n, P("enable_http2")) ?? false : true;
        c.ProxyUrl = Str(keys, "proxy_url", path);
        c.NoProxy = Str(keys, "no_proxy", path) ?? "";
        c.ProxyFromEnvironment = keys.TryGetValue("proxy_from_environment", out n) && (_r.LooseBool(n, P("proxy_from_environment")) ?? false);
        if (keys.TryGetValue("proxy_connect_header", out n))
        {
            c.ProxyConnectHeader = ParseHeaderLists(n, P("proxy_connect_header"));
        }

        if (keys.TryGetValue("http_headers", out n) && _r.Mapping(n, P("http_headers")) is { } hh)
        {
            var headers = new Dictionary<string, HttpHeaderValues>(StringComparer.Ordinal);
            foreach (var entry in hh.Children)
            {
                var name = _r.LooseString(entry.Key, P("http_headers"));
                var hp = YamlReader.Join(P("http_headers"), name);
                var value = new HttpHeaderValues();
                if (_r.Mapping(entry.Value, hp) is { } hv)
                {
                    var k = _r.MatchKeys(hv, hp, ["values", "secrets", "files"], caseInsensitive: false);
                    value.Values = k.TryGetValue("values", out var v) ? _r.LooseStringList(v, YamlReader.Join(hp, "values")) : [];
                    value.Secrets = k.TryGetValue("secrets", out v) ? _r.LooseStringList(v, YamlReader.Join(hp, "secrets")) : [];
                    value.Files = k.TryGetValue("files", out v) ? _r.LooseStringList(v, YamlReader.Join(hp, "files")) : [];
                }

                headers[name] = value;
            }

            c.HttpHeaders = headers;
        }

        return c;
    }

    /// <summary>
    /// prometheus/common <c>HTTPClientConfig.Validate</c>: the first failure, or null. Normalises <c>bearer_token</c>
    /// and <c>bearer_token_file</c> into <c>authorization</c> and defaults the authorization type to <c>Bearer</c>.
    /// </summary>
    public static string? Validate(HttpClientConfig c)
    {
        var hasBearer = c.BearerToken.Length > 0 || c.BearerTokenFile.Length > 0;
        if (c.BearerToken.Length > 0 && c.BearerTokenFile.Length > 0)
        {
            return "at most one of bearer_token & bearer_token_file must be configured";
        }

        if ((c.BasicAuth is not null || c.OAuth2 is not null) && hasBearer)
        {
            return "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured";
        }

        if (c.BasicAuth is { } ba)
        {
            if (Count(ba.Username.Length > 0, !string.IsNullOrEmpty(ba.UsernameFile), !string.IsNullOrEmpty(ba.UsernameRef)) > 1)
            {
                return "at most one of basic_auth username, username_file & username_ref must be configured";
            }

            if (Count(ba.Password.Length > 0, !string.IsNullOrEmpty(ba.PasswordFile), !string.IsNullOrEmpty(ba.PasswordRef)) > 1)
            {
                return "at most one of basic_auth password, password_file & password_ref must be configured";
            }
        }

        if (c.Authorization is { } au)
        {
            if (hasBearer)
            {
                return "authorization is not compatible with bearer_token & bearer_token_file";
            }

            if (Count(au.Credentials.Length > 0, !string.IsNullOrEmpty(au.CredentialsFile), !string.IsNullOrEmpty(au.CredentialsRef)) > 1)
            {
                return "at most one of authorization credentials & credentials_file must be configured";
            }

            au.Type = au.Type.Trim();
            if (au.Type.Length == 0)
            {
                au.Type = "Bearer";
            }

            if (string.Equals(au.Type, "basic", StringComparison.OrdinalIgnoreCase))
            {
                return "authorization type cannot be set to \"basic\", use \"basic_auth\" instead";
            }

            if (c.BasicAuth is not null || c.OAuth2 is not null)
            {
                return "at most one of basic_auth, oauth2 & authorization must be configured";
            }
        }
        else
        {
            if (c.BearerToken.Length > 0)
            {
                c.Authorization = new Authorization { Type = "Bearer", Credentials = c.BearerToken };
                c.BearerToken = "";
            }

            if (c.BearerTokenFile.Length > 0)
            {
                c.Authorization = new Authorization { Type = "Bearer", CredentialsFile = c.BearerTokenFile };
                c.BearerTokenFile = "";
            }
        }

        if (c.OAuth2 is { } oa)
        {
            if (c.BasicAuth is not null)
            {
                return "at most one of basic_auth, oauth2 & authorization must be configured";
            }

            if (oa.ClientId.Length == 0)
            {
                return "oauth2 client_id must be configured";
            }

            if (oa.TokenUrl.Length == 0)
            {
                return "oauth2 token_url must be configured";
            }

            if (Count(oa.ClientSecret.Length > 0, oa.ClientSecretFile.Length > 0, oa.ClientSecretRef.Length > 0) > 1)
            {
                return "at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured";
            }
        }

        return ValidateProxy(c.ProxyUrl, c.NoProxy, c.ProxyFromEnvironment, c.ProxyConnectHeader) ?? ValidateTls(c.TlsConfig);
    }

    /// <summary>True when nothing differs from Prometheus' default HTTP client settings.</summary>
    public static bool IsDefault(HttpClientConfig c) =>
        c.BasicAuth is null && c.Authorization is null && c.OAuth2 is null && c.BearerToken.Length == 0
        && c.BearerTokenFile.Length == 0 && IsZero(c.TlsConfig) && c.FollowRedirects && c.EnableHttp2
        && string.IsNullOrEmpty(c.ProxyUrl) && c.NoProxy.Length == 0 && !c.ProxyFromEnvironment
        && (c.ProxyConnectHeader is null || c.ProxyConnectHeader.Count == 0) && (c.HttpHeaders is null || c.HttpHeaders.Count == 0);

    /// <summary>True when every TLS field is unset, so the block is omitted when serialised.</summary>
    public static bool IsZero(TlsConfig t) =>
        string.IsNullOrEmpty(t.Ca) && string.IsNullOrEmpty(t.Cert) && t.Key.Length == 0 && string.IsNullOrEmpty(t.CaFile)
        && string.IsNullOrEmpty(t.CertFile) && string.IsNullOrEmpty(t.KeyFile) && string.IsNullOrEmpty(t.CaRef)
        && string.IsNullOrEmpty(t.CertRef) && string.IsNullOrEmpty(t.KeyRef) && string.IsNullOrEmpty(t.ServerName)
        && !t.InsecureSkipVerify && string.IsNullOrEmpty(t.MinVersion) && string.IsNullOrEmpty(t.MaxVersion);

    private static string? ValidateProxy(string? proxyUrl, string noProxy, bool fromEnvironment, IReadOnlyDictionary<string, IReadOnlyList<string>>? connectHeader)
    {
        var hasUrl = !string.IsNullOrEmpty(proxyUrl);
        if (fromEnvironment && hasUrl)
        {
            return "if proxy_from_environment is configured, proxy_url must not be configured";
        }

        if (fromEnvironment && noProxy.Length > 0)
        {
            return "if proxy_from_environment is configured, no_proxy must not be configured";
        }

        if (!hasUrl && noProxy.Length > 0)
        {
            return "if no_proxy is configured, proxy_url must also be configured";
        }

        if (!hasUrl && !fromEnvironment && connectHeader is { Count: > 0 })
        {
            return "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured";
        }

        return null;
    }

    private static string? ValidateTls(TlsConfig t)
    {
        if (Count(!string.IsNullOrEmpty(t.Ca), !string.IsNullOrEmpty(t.CaFile), !string.IsNullOrEmpty(t.CaRef)) > 1)
        {
            return "at most one of ca, ca_file & ca_ref must be configured";
        }

        if (Count(!string.IsNullOrEmpty(t.Cert), !string.IsNullOrEmpty(t.CertFile), !string.IsNullOrEmpty(t.CertRef)) > 1)
        {
            return "at most one of cert, cert_file & cert_ref must be configured";
        }

        if (Count(t.Key.Length > 0, !string.IsNullOrEmpty(t.KeyFile), !string.IsNullOrEmpty(t.KeyRef)) > 1)
        {
            return "at most one of key and key_file must be configured";
        }

        var hasCert = !string.IsNullOrEmpty(t.Cert) || !string.IsNullOrEmpty(t.CertFile) || !string.IsNullOrEmpty(t.CertRef);
        var hasKey = t.Key.Length > 0 || !string.IsNullOrEmpty(t.KeyFile) || !string.IsNullOrEmpty(t.KeyRef);
        if (hasCert && !hasKey)
        {
            return "exactly one of key or key_file must be configured when a client certificate is configured";
        }

        if (hasKey && !hasCert)
        {
            return "exactly one of cert or cert_file must be configured when a client key is configured";
        }

        return null;
    }

    private TlsConfig ParseTls(YamlNode node, string path)
    {
        var t = new TlsConfig();
        if (_r.Mapping(node, path) is not { } map)
        {
            return t;
        }

        var k = _r.MatchKeys(map, path, TlsKeys, caseInsensitive: false);
        t.Ca = Str(k, "ca", path);
        t.Cert = Str(k, "cert", path);
        t.Key = Str(k, "key", path) ?? "";
        t.CaFile = Str(k, "ca_file", path);
        t.CertFile = Str(k, "cert_file", path);
        t.KeyFile = Str(k, "key_file", path);
        t.CaRef = Str(k, "ca_ref", path);
        t.CertRef = Str(k, "cert_ref", path);
        t.KeyRef = Str(k, "key_ref", path);
        t.ServerName = Str(k, "server_name", path);
        t.InsecureSkipVerify = k.TryGetValue("insecure_skip_verify", out var n) && (_r.LooseBool(n, YamlReader.Join(path, "insecure_skip_verify")) ?? false);
        t.MinVersion = ParseTlsVersion(k, "min_version", path);
        t.MaxVersion = ParseTlsVersion(k, "max_version", path);
        return t;
    }

    private string? ParseTlsVersion(Dictionary<string, YamlNode> keys, string key, string path)
    {
        var v = Str(keys, key, path);
        if (string.IsNullOrEmpty(v))
        {
            return null;
        }

        if (v is not ("TLS10" or "TLS11" or "TLS12" or "TLS13"))
        {
            _r.Error(YamlReader.Join(path, key), $"unknown TLS version: {v}");
        }

        return v;
    }

    private Dictionary<string, IReadOnlyList<string>>? ParseHeaderLists(YamlNode node, string path)
    {
        if (_r.Mapping(node, path) is not { } map)
        {
            return null;
        }

        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var entry in map.Children)
        {
            var name = _r.LooseString(entry.Key, path);
            result[name] = _r.LooseStringList(entry.Value, YamlReader.Join(path, name));
        }

        return result;
    }

    private static Dictionary<string, string> ToDictionary(List<KeyValuePair<string, string>> pairs)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs)
        {
            d[k] = v;
        }

        return d;
    }

    private string? Str(Dictionary<string, YamlNode> keys, string key, string path) =>
        keys.TryGetValue(key, out var n) ? _r.LooseString(n, YamlReader.Join(path, key)) : null;

    private static int Count(params ReadOnlySpan<bool> flags)
    {
        var count = 0;
        foreach (var f in flags)
        {
            if (f)
            {
                count++;
            }
        }

        return count;
    }
}
