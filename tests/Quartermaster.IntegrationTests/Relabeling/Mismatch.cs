namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>A disagreement between the engine and promtool for one target of a job (or the whole job).</summary>
internal sealed record Mismatch(RelabelJob Job, StaticTarget? Target, string Description);
