namespace Quartermaster.Kubernetes.Watch;

/// <summary>What one cache lists and watches: a kind, a namespace (null for all) and the selectors.</summary>
public sealed record CacheKey(string Plural, string? Namespace, string LabelSelector, string FieldSelector)
{
    public override string ToString() =>
        Plural + (Namespace is null ? "" : " in " + Namespace)
        + (LabelSelector.Length == 0 ? "" : " labelSelector=" + LabelSelector)
        + (FieldSelector.Length == 0 ? "" : " fieldSelector=" + FieldSelector);
}
