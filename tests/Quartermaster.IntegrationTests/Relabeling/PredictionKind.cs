namespace Quartermaster.IntegrationTests.Relabeling;

internal enum PredictionKind
{
    Kept,
    Dropped,
    Error,

    /// <summary>Outside the subset where 2.42 and 3.x agree (a default port that 2.42 would strip).</summary>
    NotComparable,
}
