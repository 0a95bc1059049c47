using Quartermaster.Core.Relabeling;

namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>One scrape job of a generated case batch: a rule chain and the static targets it runs on.</summary>
internal sealed record RelabelJob(string Name, IReadOnlyList<RelabelConfig> Rules, IReadOnlyList<StaticTarget> Targets);
