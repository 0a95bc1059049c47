using System.Text.Json;
using Quartermaster.Core.Allocation;

namespace Quartermaster.Core.Tests.Allocation;

/// <summary>Loads TestData/consistent-hashing/golden.json, computed with the upstream Go library.</summary>
internal static class ConsistentHashGolden
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "consistent-hashing", "golden.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static IReadOnlyList<string> Urls => [.. Root.GetProperty("urls").EnumerateArray().Select(u => u.GetString()!)];

    public static int CaseCount(RingVersion version) => CasesOf(version).GetArrayLength();

    public static GoldenCase Case(RingVersion version, int index)
    {
        var element = CasesOf(version)[index];
        return new GoldenCase(
            [.. element.GetProperty("collectors").EnumerateArray().Select(c => c.GetString()!)],
            element.GetProperty("assignments").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            [.. element.GetProperty("partitionOwners").EnumerateArray().Select(c => c.GetString()!)],
            element.GetProperty("loads").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()),
            element.GetProperty("averageLoad").GetDouble());
    }

    private static JsonElement CasesOf(RingVersion version) => version == RingVersion.V1_0_0
        ? Root.GetProperty("cases")
        : Root.GetProperty("legacy_v0_10_0").GetProperty("cases");

    internal sealed record GoldenCase(
        IReadOnlyList<string> Collectors,
        IReadOnlyDictionary<string, string> Assignments,
        IReadOnlyList<string> PartitionOwners,
        IReadOnlyDictionary<string, double> Loads,
        double AverageLoad);
}
