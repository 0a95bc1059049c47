using Quartermaster.Core.Discovery;

namespace Quartermaster.Core.Tests.Discovery;

/// <summary>Renders groups as compact text so tests compare whole outputs.</summary>
internal static class GroupFormat
{
    public static string Render(TargetGroup group) =>
        group.Source + " " + string.Join(",", group.Targets.Select(t => "{" + string.Join(",", t.Select(l => l.ToString())) + "}"))
        + " " + string.Join(",", group.Labels.Select(l => l.ToString()));

    public static string[] Render(IEnumerable<TargetGroup> groups) => groups.Select(Render).ToArray();
}
