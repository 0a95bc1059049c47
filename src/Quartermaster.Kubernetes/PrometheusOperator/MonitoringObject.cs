using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>A Prometheus Operator custom resource as listed and watched: metadata, and the spec kept as raw JSON.</summary>
public sealed class MonitoringObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonElement Spec { get; set; }
}
