namespace Quartermaster.Core.Config;

/// <summary>One <c>http_headers</c> entry.</summary>
public sealed class HttpHeaderValues
{
    public IReadOnlyList<string> Values { get; set; } = [];

    /// <summary>Secrets.</summary>
    public IReadOnlyList<string> Secrets { get; set; } = [];

    public IReadOnlyList<string> Files { get; set; } = [];
}
