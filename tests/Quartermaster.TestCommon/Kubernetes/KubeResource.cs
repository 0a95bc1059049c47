namespace Quartermaster.TestCommon.Kubernetes;

/// <summary>One resource kind the fake API server serves, as its discovery document describes it.</summary>
public sealed record KubeResource(
    string Group,
    string Version,
    string Kind,
    string Plural,
    string Singular,
    bool Namespaced,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ShortNames)
{
    /// <summary>The <c>apiVersion</c> of objects of this kind: <c>v1</c> for the core group, else <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>The path prefix of this group version: <c>/api/v1</c> or <c>/apis/group/version</c>.</summary>
    public string GroupVersionPath => Group.Length == 0 ? "/api/" + Version : $"/apis/{Group}/{Version}";

    /// <summary>Whether objects of this kind are stored (list/get/watch); false for create-only reviews.</summary>
    /// <summary>Whether the kind is a custom resource (served as unstructured objects), not a built-in type.</summary>
    public bool IsCustom => Group == "monitoring.coreos.com";

    public bool Stored => Verbs.Contains("list");
}
