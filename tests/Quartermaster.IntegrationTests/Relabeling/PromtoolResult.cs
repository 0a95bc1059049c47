namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>
/// One element of promtool's JSON answer: the pre-relabel labels (2.42 prints <c>{}</c> for them on error), the
/// post-relabel labels (<c>{}</c> when dropped or on error), and whether it carried an <c>error</c>.
/// </summary>
internal sealed record PromtoolResult(
    SortedDictionary<string, string> Discovered, SortedDictionary<string, string> Labels, bool Error)
{
    /// <summary>
    /// A group label that identifies the target in promtool's answer. 2.42 relabels the discovered label slice in
    /// place, so its printed <c>discoveredLabels</c> can show the relabeled set (or a mix of both); this name sorts
    /// before every generated name and no generated rule drops or overwrites it, so it stays first and intact.
    /// </summary>
    public const string CaseLabel = "__0case";

    public static string Key(IReadOnlyDictionary<string, string> labels) => labels.GetValueOrDefault(CaseLabel, "");
}
