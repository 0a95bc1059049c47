using Quartermaster.Core.Labels;

namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>One <c>static_configs</c> entry with a single target: its address and its group labels (empty values allowed).</summary>
internal sealed record StaticTarget(string Address, IReadOnlyList<Label> GroupLabels);
