namespace Quartermaster.Core.Config;

/// <summary>The <c>oauth2</c> client block.</summary>
public sealed class OAuth2Config
{
    public string ClientId { get; set; } = "";

    /// <summary>A secret.</summary>
    public string ClientSecret { get; set; } = "";

    public string ClientSecretFile { get; set; } = "";

    public string ClientSecretRef { get; set; } = "";

    public IReadOnlyList<string> Scopes { get; set; } = [];

    public string TokenUrl { get; set; } = "";

    public IReadOnlyDictionary<string, string>? EndpointParams { get; set; }

    public TlsConfig TlsConfig { get; set; } = new();

    public string? ProxyUrl { get; set; }

    public string NoProxy { get; set; } = "";

    public bool ProxyFromEnvironment { get; set; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>>? ProxyConnectHeader { get; set; }
}
