using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Targets;

/// <summary>
/// One step of a <see cref="FilterTrace"/>: <see cref="RuleIndex"/> is the index in the job's <c>relabel_configs</c>
/// (-1 and the job's rule count for the two rules the allocator wraps them in, which carry a <see cref="Note"/>).
/// </summary>
public sealed record TracedRule(int RuleIndex, string? Note, RelabelStep Step)
{
    /// <summary>Whether the allocator added this rule around the job's own.</summary>
    public bool AddedByAllocator => Note is not null;
}
