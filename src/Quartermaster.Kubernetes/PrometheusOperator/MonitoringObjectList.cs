using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>A list of <see cref="MonitoringObject"/>, as the list call of a custom resource returns it.</summary>
public sealed class MonitoringObjectList : IKubernetesObject<V1ListMeta>, IItems<MonitoringObject>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<MonitoringObject> Items { get; set; } = [];
}
