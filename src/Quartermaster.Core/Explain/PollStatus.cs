namespace Quartermaster.Core.Explain;

/// <summary>
/// When the target's collector last polled the target's job, which snapshot generation that poll was served from,
/// and whether that response contained the target: it did when the poll's generation is at least the generation
/// that first served the target on this collector (the target has stayed there since). Null fields: never polled.
/// </summary>
public sealed record PollStatus(string Collector, DateTimeOffset? Time, long? Generation, bool? ContainedTarget, string Detail);
