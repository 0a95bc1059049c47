namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>One request the fake API server received, logged when it arrived.</summary>
public sealed record KubeRequest(string Method, string Path, string Query, string? Accept, string? UserAgent)
{
    /// <summary>A query parameter's value (first occurrence), or null.</summary>
    public string? QueryValue(string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).TryGetValue(name, out var values) ? values.ToString() : null;

    public bool IsWatch => QueryValue("watch") is "true" or "1" || Path.Contains("/watch/", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {Path}{Query}";
}
