namespace Quartermaster.Core.Relabeling;

/// <summary>A regular expression that Go's <c>regexp</c> (RE2 syntax) rejects, with Go's message.</summary>
public sealed class GoRegexException : Exception
{
    public GoRegexException()
    {
    }

    public GoRegexException(string message)
        : base(message)
    {
    }

    public GoRegexException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static GoRegexException Create(string code, string expression) =>
        new($"error parsing regexp: {code}: `{expression}`");
}
