namespace Quartermaster.Core.Explain;

/// <summary>A poll with a <c>collector_id</c> that matches no collector: the id, the job it asked for, and when.</summary>
public sealed record UnknownCollectorPoll(string CollectorId, string Job, DateTimeOffset Time);
