using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;
using Quartermaster.Kubernetes.Discovery;

namespace Quartermaster.Kubernetes.Tests.Discovery;

/// <summary>
/// One folder per case under TestData/Translators: <c>object.json</c> (the object as the API serves it),
/// optional <c>context.json</c> (a list of other cached objects), optional <c>attach.json</c>
/// (attach_metadata flags) and <c>expected.json</c> (the target group, or null when none is sent).
/// </summary>
public sealed class TranslatorGoldenTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "TestData", "Translators");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Translate_Case_MatchesExpectedGroup(string name)
    {
        var dir = Path.Combine(Root, name);
        var lookup = LoadContext(Path.Combine(dir, "context.json"));
        var attach = LoadAttach(Path.Combine(dir, "attach.json"));
        var objectJson = File.ReadAllText(Path.Combine(dir, "object.json"));
        var kind = JsonNode.Parse(objectJson)!["kind"]!.GetValue<string>();
        TargetGroup? group = kind switch
        {
            "Pod" => PodTranslator.Translate(KubernetesJson.Deserialize<V1Pod>(objectJson), lookup, attach),
            "Service" => ServiceTranslator.Translate(KubernetesJson.Deserialize<V1Service>(objectJson), lookup, attach),
            "Endpoints" => EndpointsTranslator.Translate(KubernetesJson.Deserialize<V1Endpoints>(objectJson), lookup, attach),
            "EndpointSlice" => EndpointSliceTranslator.Translate(
                KubernetesJson.Deserialize<V1EndpointSlice>(objectJson), lookup, attach),
            "Node" => NodeTranslator.Translate(KubernetesJson.Deserialize<V1Node>(objectJson)),
            "Ingress" => IngressTranslator.Translate(KubernetesJson.Deserialize<V1Ingress>(objectJson), lookup, attach),
            _ => throw new InvalidOperationException("unknown kind " + kind),
        };

        if (group is not null)
        {
            AssertSorted(group.Labels);
            foreach (var target in group.Targets)
            {
                AssertSorted(target);
            }
        }

        var expected = Normalize(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "expected.json"))));
        Assert.Equal(expected, Render(group));
    }

    internal static string Render(TargetGroup? group)
    {
        if (group is null)
        {
            return "null";
        }

        var node = new JsonObject
        {
            ["source"] = group.Source,
            ["labels"] = ToObject(group.Labels),
            ["targets"] = new JsonArray(group.Targets.Select(t => (JsonNode)ToObject(t)).ToArray()),
        };
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string Normalize(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        var labels = node["labels"]!.AsObject().Select(p => new Label(p.Key, p.Value!.GetValue<string>()));
        var targets = node["targets"]!.AsArray()
            .Select(t => LabelSets.FromUnsorted(t!.AsObject().Select(p => new Label(p.Key, p.Value!.GetValue<string>()))))
            .ToList();
        return Render(new TargetGroup(node["source"]!.GetValue<string>(), targets, LabelSets.FromUnsorted(labels)));
    }

    private static JsonObject ToObject(Label[] labels)
    {
        var obj = new JsonObject();
        foreach (var label in labels)
        {
            obj[label.Name] = label.Value;
        }

        return obj;
    }

    private static void AssertSorted(Label[] labels)
    {
        for (var i = 1; i < labels.Length; i++)
        {
            Assert.True(string.CompareOrdinal(labels[i - 1].Name, labels[i].Name) < 0, $"{labels[i - 1].Name} before {labels[i].Name}");
        }
    }

    private static AttachMetadata LoadAttach(string path)
    {
        if (!File.Exists(path))
        {
            return AttachMetadata.None;
        }

        var node = JsonNode.Parse(File.ReadAllText(path))!;
        bool Flag(string key) => node[key]?.GetValue<bool>() ?? false;
        return new AttachMetadata(Flag("node"), Flag("namespace"), Flag("deployment"), Flag("job"), Flag("cronjob"));
    }

    private static FakeLookup LoadContext(string path)
    {
        var lookup = new FakeLookup();
        if (!File.Exists(path))
        {
            return lookup;
        }

        foreach (var item in JsonNode.Parse(File.ReadAllText(path))!["items"]!.AsArray())
        {
            var json = item!.ToJsonString();
            var ns = item["metadata"]?["namespace"]?.GetValue<string>() ?? "";
            var name = item["metadata"]!["name"]!.GetValue<string>();
            var key = ns + "/" + name;
            switch (item["kind"]!.GetValue<string>())
            {
                case "Pod":
                    lookup.Pods[key] = KubernetesJson.Deserialize<V1Pod>(json);
                    break;
                case "Service":
                    lookup.Services[key] = KubernetesJson.Deserialize<V1Service>(json);
                    break;
                case "Node":
                    lookup.Nodes[name] = KubernetesJson.Deserialize<V1Node>(json);
                    break;
                case "Namespace":
                    lookup.Namespaces[name] = KubernetesJson.Deserialize<V1Namespace>(json);
                    break;
                case "ReplicaSet":
                    lookup.ReplicaSets[key] = KubernetesJson.Deserialize<V1ReplicaSet>(json);
                    break;
                case "Job":
                    lookup.Jobs[key] = KubernetesJson.Deserialize<V1Job>(json);
                    break;
                default:
                    throw new InvalidOperationException("unsupported context kind");
            }
        }

        return lookup;
    }
}
