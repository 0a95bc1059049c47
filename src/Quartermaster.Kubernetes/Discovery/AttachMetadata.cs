using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.Discovery;

/// <summary>Which <c>attach_metadata</c> options are on for a translation.</summary>
public sealed record AttachMetadata(bool Node, bool Namespace, bool Deployment, bool Job, bool CronJob)
{
    public static readonly AttachMetadata None = new(false, false, false, false, false);

    public static AttachMetadata From(KubernetesSdConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new AttachMetadata(
            config.AttachMetadataNode,
            config.AttachMetadataNamespace,
            config.AttachMetadataDeployment,
            config.AttachMetadataJob,
            config.AttachMetadataCronJob);
    }
}
