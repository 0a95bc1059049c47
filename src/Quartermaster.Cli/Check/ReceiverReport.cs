namespace Quartermaster.Cli.Check;

/// <summary>One Prometheus receiver found by <c>qmctl check receiver</c>, its settings and what was found about it.</summary>
/// <param name="Name">The receiver id: <c>prometheus</c> or <c>prometheus/&lt;name&gt;</c>.</param>
/// <param name="Source">Where it was found, such as <c>OpenTelemetryCollector otelcol (opentelemetry.io/v1alpha1), document 1</c>.</param>
/// <param name="Path">The receiver's key path, such as <c>spec.config.receivers.prometheus</c>.</param>
/// <param name="Endpoint"><c>target_allocator.endpoint</c> as written, or null.</param>
/// <param name="Interval"><c>target_allocator.interval</c> as written, or null.</param>
/// <param name="CollectorId"><c>target_allocator.collector_id</c> as written, or null.</param>
/// <param name="Pipelines">The pipelines that list the receiver.</param>
/// <param name="Findings">Each check's outcome, in order.</param>
internal sealed record ReceiverReport(
    string Name,
    string Source,
    string Path,
    string? Endpoint,
    string? Interval,
    string? CollectorId,
    IReadOnlyList<string> Pipelines,
    IReadOnlyList<Finding> Findings)
{
    public bool HasErrors => Findings.Any(f => f.Level == FindingLevel.Error);

    /// <summary>The literal collector id, or null when it is absent or comes from the environment.</summary>
    public string? LiteralCollectorId => CollectorId is { Length: > 0 } id && !id.Contains('$', StringComparison.Ordinal) ? id : null;
}
