namespace Quartermaster.Core.Explain;

/// <summary>One poll as the API recorded it: when, and the generation of the snapshot it was answered from.</summary>
public readonly record struct PollRecord(DateTimeOffset Time, long Generation);
