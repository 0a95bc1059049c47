namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>Settings of a <see cref="FakeKubeApiServer"/>.</summary>
public sealed record FakeKubeApiServerOptions
{
    /// <summary>How many changes the server keeps for watch resumption; older resourceVersions answer 410 Expired.</summary>
    public int HistoryCapacity { get; init; } = 10_000;

    /// <summary>
    /// When set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c>, else 401. The generated kubeconfig
    /// carries the token; note that kubectl (client-go) sends bearer tokens only over TLS, so kubectl gets 401 here.
    /// </summary>
    public string? BearerToken { get; init; }

    /// <summary>The user named in 403 messages.</summary>
    public string UserName { get; init; } = "system:serviceaccount:default:quartermaster";

    /// <summary>Clock for creationTimestamp, stalls and watch timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How an expired watch resourceVersion is answered. False (the real API server's way): HTTP 200 and one ERROR
    /// event carrying a 410 Expired Status. True: an HTTP 410 response.
    /// </summary>
    public bool ExpiredWatchAsHttpStatus { get; init; }

    /// <summary>The <c>/version</c> answer's minor version.</summary>
    public int MinorVersion { get; init; } = 32;

    /// <summary>Plurals of kinds the server does not serve, as when their CRD is not installed: absent from discovery, 404 on requests.</summary>
    public IReadOnlyList<string> UnservedResources { get; init; } = [];
}
