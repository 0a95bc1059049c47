using System.Text.Json;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// A prometheus-operator scrape class (<c>prometheus_cr.scrape_classes[]</c>): settings applied to every resource
/// that names it in <c>spec.scrapeClass</c>, or to every resource that names none when it is the default class.
/// The structured parts are kept as the JSON the resources use, so they are decoded exactly like a resource's own.
/// </summary>
public sealed record ScrapeClass(
    string Name,
    bool Default,
    JsonElement? Relabelings,
    JsonElement? MetricRelabelings,
    JsonElement? TlsConfig,
    JsonElement? Authorization,
    bool? AttachMetadataNode,
    string? FallbackScrapeProtocol)
{
    /// <summary>Decodes one class from its JSON form (camelCase keys, as in the Prometheus resource).</summary>
    /// <exception cref="ResourceInvalidException">A field has the wrong type or the name is missing.</exception>
    internal static ScrapeClass FromJson(JsonElement e, string path)
    {
        var name = Spec.String(e, "name", path);
        if (string.IsNullOrEmpty(name))
        {
            throw new ResourceInvalidException(Spec.Join(path, "name") + ": a scrape class needs a name");
        }

        if (Spec.Field(e, "relabelings") is { } r && r.ValueKind != JsonValueKind.Array)
        {
            throw Spec.Invalid(Spec.Join(path, "relabelings"), "a list", r);
        }

        if (Spec.Field(e, "metricRelabelings") is { } m && m.ValueKind != JsonValueKind.Array)
        {
            throw Spec.Invalid(Spec.Join(path, "metricRelabelings"), "a list", m);
        }

        var attach = Spec.Object(e, "attachMetadata", path);
        return new ScrapeClass(
            name,
            Spec.Bool(e, "default", path) ?? false,
            Spec.Field(e, "relabelings")?.Clone(),
            Spec.Field(e, "metricRelabelings")?.Clone(),
            Spec.Object(e, "tlsConfig", path)?.Clone(),
            Spec.Object(e, "authorization", path)?.Clone(),
            attach is { } a ? Spec.Bool(a, "node", Spec.Join(path, "attachMetadata")) : null,
            Spec.String(e, "fallbackScrapeProtocol", path));
    }
}
