using Quartermaster.Core.Config;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.Core.Tests.Config;

internal static class ConfigTestHelpers
{
    public static TargetAllocatorConfig Load(
        string yaml,
        IReadOnlyDictionary<string, string>? env = null,
        ConfigOverrides? flags = null,
        Func<RelabelConfig, string?>? validateRelabel = null,
        IReadOnlySet<string>? supported = null)
    {
        env ??= new Dictionary<string, string> { ["OTELCOL_NAMESPACE"] = "ns" };
        return TargetAllocatorConfigLoader.Load(yaml, "test.yaml", k => env.TryGetValue(k, out var v) ? v : null, flags ?? ConfigOverrides.None, validateRelabel, supported);
    }

    public static IReadOnlyList<string> Errors(string yaml, Func<RelabelConfig, string?>? validateRelabel = null, IReadOnlySet<string>? supported = null)
    {
        var ex = Assert.Throws<ConfigException>(() => Load(yaml, validateRelabel: validateRelabel, supported: supported));
        Assert.Equal(string.Join('\n', ex.Errors), ex.Message);
        return ex.Errors;
    }

    public static string TestData(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Config", name));
}
