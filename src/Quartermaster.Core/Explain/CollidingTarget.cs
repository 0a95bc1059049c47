using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Explain;

/// <summary>Another discovered target with the same identity; <see cref="Served"/> when it is the one served.</summary>
public sealed record CollidingTarget(string Source, string Group, string Address, Label[] DiscoveredLabels, bool Served);
