namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>A generated RE2 pattern, its capture-group count and names, and a sampler of likely matches.</summary>
internal sealed record GeneratedPattern(string Pattern, int GroupCount, IReadOnlyList<string> GroupNames, Func<Random, string> Sample);
