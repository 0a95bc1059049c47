using Quartermaster.Core.Config;

namespace Quartermaster.Kubernetes.PrometheusOperator;

/// <summary>
/// One generation of the jobs of every selected resource, in resource order (kind, then namespace/name).
/// </summary>
/// <param name="Jobs">The generated jobs.</param>
/// <param name="Rejected">Resources that produce no jobs, with the reason.</param>
/// <param name="KeptLastGood">
/// Resources whose regeneration failed on a Secret or ConfigMap they reference: their previous jobs are kept, and
/// the reason is reported.
/// </param>
/// <param name="UnavailableKinds">Kinds whose CRD the API server does not serve.</param>
/// <param name="Regenerated">How many resources were generated anew (the others reused their cached jobs).</param>
public sealed record PrometheusOperatorOutput(
    IReadOnlyList<ScrapeConfig> Jobs,
    IReadOnlyList<ResourceRejection> Rejected,
    IReadOnlyList<ResourceRejection> KeptLastGood,
    IReadOnlyList<MonitoringKind> UnavailableKinds,
    int Regenerated);
