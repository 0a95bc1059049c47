namespace Quartermaster.Core.Config;

/// <summary>A <c>kubernetes_sd_configs</c> entry (parsed, validated and serialised; discovery lives elsewhere).</summary>
public sealed class KubernetesSdConfig
{
    public string ApiServer { get; set; } = "";

    /// <summary>One of pod, service, endpoints, endpointslice, node, ingress.</summary>
    public string Role { get; set; } = "";

    public string KubeconfigFile { get; set; } = "";

    public HttpClientConfig HttpClient { get; set; } = new();

    public bool OwnNamespace { get; set; }

    public IReadOnlyList<string> NamespaceNames { get; set; } = [];

    public IReadOnlyList<KubernetesSdSelector> Selectors { get; set; } = [];

    public bool AttachMetadataNode { get; set; }

    public bool AttachMetadataNamespace { get; set; }

    public bool AttachMetadataDeployment { get; set; }

    public bool AttachMetadataJob { get; set; }

    public bool AttachMetadataCronJob { get; set; }
}
