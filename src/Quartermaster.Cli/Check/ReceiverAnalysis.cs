namespace Quartermaster.Cli.Check;

/// <summary>
/// The outcome of reading a receiver file: the receivers found, findings about the file as a whole, and a
/// <see cref="Failure"/> when the file is not YAML or holds no Prometheus receiver.
/// </summary>
internal sealed record ReceiverAnalysis(IReadOnlyList<ReceiverReport> Receivers, IReadOnlyList<Finding> FileFindings, string? Failure)
{
    public bool HasErrors => Failure is not null || Receivers.Any(r => r.HasErrors) || FileFindings.Any(f => f.Level == FindingLevel.Error);
}
