namespace Quartermaster.Core.Relabeling;

/// <summary>Go's empty-width conditions (<c>regexp/syntax.EmptyOp</c>), as flags of a position's context.</summary>
[Flags]
internal enum GoAssertion
{
    None = 0,
    BeginLine = 1,
    EndLine = 2,
    BeginText = 4,
    EndText = 8,
    WordBoundary = 16,
    NoWordBoundary = 32,
}
