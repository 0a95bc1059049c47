namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>The engine's expectation for one target of a promtool run.</summary>
internal sealed record Prediction(
    IReadOnlyDictionary<string, string> Discovered, PredictionKind Kind, IReadOnlyDictionary<string, string> Labels);
