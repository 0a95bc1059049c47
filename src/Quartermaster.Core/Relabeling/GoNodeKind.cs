namespace Quartermaster.Core.Relabeling;

/// <summary>The operator of a <see cref="GoNode"/> (Go <c>regexp/syntax.Op</c>, reduced to what the parser emits).</summary>
internal enum GoNodeKind
{
    /// <summary>Matches the empty string (an empty group, <c>x{0}</c>).</summary>
    Empty,

    /// <summary>One code point from a set (a literal, a class, a case-folded literal).</summary>
    Set,

    /// <summary><c>.</c> under <c>(?s)</c>: any code point.</summary>
    AnyChar,

    /// <summary><c>.</c>: any code point but <c>\n</c>.</summary>
    AnyCharNotNewLine,

    /// <summary>An empty-width assertion (<c>^ $ \A \z \b \B</c>).</summary>
    Assert,

    Capture,
    Concat,
    Alternate,
    Star,
    Plus,
    Quest,

    /// <summary><c>x{n}</c>, <c>x{n,}</c>, <c>x{n,m}</c>.</summary>
    Repeat,
}
