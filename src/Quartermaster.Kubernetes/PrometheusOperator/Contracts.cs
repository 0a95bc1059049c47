using System.Text.Json;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>The four Prometheus Operator resource kinds the allocator turns into scrape jobs.</summary>
public enum MonitoringKind
{
    ServiceMonitor,
    PodMonitor,
    Probe,
    ScrapeConfig,
}

/// <summary>
/// One Prometheus Operator resource as the API server returned it: identity and labels, and its <c>spec</c> kept as
/// JSON for the generator to decode (so the watcher needs no knowledge of the spec's schema).
/// </summary>
public sealed record MonitoringResource(
    MonitoringKind Kind,
    string Namespace,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    JsonElement Spec,
    string ResourceVersion = "")
{
    /// <summary>The <c>namespace/name</c> key; resources are generated in ordinal order of this key.</summary>
    public string Key => Namespace + "/" + Name;
}

/// <summary>Which generation of Prometheus Operator output the generator reproduces.</summary>
public enum OperatorGeneration
{
    /// <summary>The output of the operator version current upstream allocators vendor (v0.93).</summary>
    Current,

    /// <summary>The output of operators v0.61–v0.78 (two-rule sharding tail), as older allocators served it.</summary>
    V078,
}

public enum AssetKind
{
    Secret,
    ConfigMap,
}

/// <summary>A Secret or ConfigMap key a resource references.</summary>
public sealed record AssetReference(AssetKind Kind, string Namespace, string Name, string Key);

/// <summary>Where the generator reads referenced Secret and ConfigMap values.</summary>
public interface IAssetStore
{
    /// <summary>The value of <paramref name="reference"/>, or <c>false</c> with the reason it cannot be read.</summary>
    bool TryGet(AssetReference reference, out string value, out string error);
}

/// <summary>A resource the generator rejected alone (the others are still generated).</summary>
public sealed record ResourceRejection(MonitoringKind Kind, string Namespace, string Name, string Reason);
