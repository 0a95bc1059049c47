using Quartermaster.Core.Config;

namespace Quartermaster.Core.Explain;

/// <summary>What explain needs from outside the pipeline: poll history, source health, and the RBAC preflight.</summary>
public sealed class ExplainContext
{
    public static readonly ExplainContext Empty = new();

    /// <summary>The last poll of (collector, job), or null when that collector never polled that job.</summary>
    public Func<string, string, PollRecord?> LastPoll { get; init; } = static (_, _) => null;

    /// <summary>Polls with collector ids that match no collector.</summary>
    public IReadOnlyList<UnknownCollectorPoll> UnknownCollectors { get; init; } = [];

    /// <summary>The last error of a job's discovery source (job, source key such as <c>file_sd/0</c>), or null.</summary>
    public Func<string, string, string?> SourceError { get; init; } = static (_, _) => null;

    /// <summary>The permissions a <c>kubernetes_sd_configs</c> entry needs that the preflight found missing.</summary>
    public Func<KubernetesSdConfig, IReadOnlyList<string>> MissingPermissions { get; init; } = static _ => [];

    /// <summary>
    /// Whether a job's credentials are withheld from every collector: the job carries secrets, there is no HTTPS
    /// listener and <c>allow_insecure_auth_secrets</c> is off, so <c>/scrape_configs</c> serves them redacted.
    /// </summary>
    public Func<string, bool> SecretsWithheld { get; init; } = static _ => false;

    /// <summary>
    /// Reasons a target may not be discovered at all that no job shows, such as a Prometheus Operator resource
    /// selector left unset (it selects nothing) or a resource kind whose CRD the API server does not serve.
    /// </summary>
    public IReadOnlyList<string> DiscoveryNotes { get; init; } = [];
}
