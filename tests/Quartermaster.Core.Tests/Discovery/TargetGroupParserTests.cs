using System.Text;
using System.Text.Json;
using CsCheck;
using Quartermaster.Core.Discovery;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Tests.Discovery;

public sealed class TargetGroupParserTests
{
    private static readonly Label Meta = new("__meta_filepath", "/sd/f.json");

    private static string[] Json(string text)
    {
        Assert.True(TargetGroupParser.TryParseJson(Encoding.UTF8.GetBytes(text), "/sd/f.json", Meta, out var groups, out var error), error);
        return GroupFormat.Render(groups);
    }

    private static string JsonError(string text)
    {
        Assert.False(TargetGroupParser.TryParseJson(Encoding.UTF8.GetBytes(text), "/sd/f.json", Meta, out var groups, out var error));
        Assert.Empty(groups);
        return error!;
    }

    private static string[] Yaml(string text)
    {
        Assert.True(TargetGroupParser.TryParseYaml(text, "/sd/f.json", Meta, out var groups, out var error), error);
        return GroupFormat.Render(groups);
    }

    private static string YamlError(string text)
    {
        Assert.False(TargetGroupParser.TryParseYaml(text, "/sd/f.json", Meta, out var groups, out var error));
        Assert.Empty(groups);
        return error!;
    }

    [Fact]
    public void TryParseJson_TwoGroups_SourcesIndexedAndMetaLabelAdded()
    {
        var groups = Json("""[{"targets":["a:1","b:2"],"labels":{"x":"y"}},{"targets":["c:3"]}]""");

        Assert.Equal(
            [
                """/sd/f.json:0 {__address__="a:1"},{__address__="b:2"} __meta_filepath="/sd/f.json",x="y" """.TrimEnd(),
                """/sd/f.json:1 {__address__="c:3"} __meta_filepath="/sd/f.json" """.TrimEnd(),
            ],
            groups);
    }

    [Fact]
    public void TryParseJson_RepeatedLabelStrings_AreOneInstance_AndEscapedOnesDecode()
    {
        var text = """[{"targets":["a:1"],"labels":{"team":"web","note":"caf\u00e9 \"x\"","é":"ü"}},{"targets":["b:1"],"labels":{"team":"web","note":"caf\u00e9 \"x\"","é":"ü"}}]""";
        Assert.True(TargetGroupParser.TryParseJson(Encoding.UTF8.GetBytes(text), "/sd/f.json", Meta, out var groups, out var error), error);

        Label Find(TargetGroup g, string name) => g.Labels.Single(l => l.Name == name);
        Assert.Same(Find(groups[0], "team").Value, Find(groups[1], "team").Value);
        Assert.Same(Find(groups[0], "team").Name, Find(groups[1], "team").Name);
        Assert.Same(Find(groups[0], "é").Value, Find(groups[1], "é").Value);
        Assert.Equal("café \"x\"", Find(groups[1], "note").Value);
        Assert.Equal("ü", Find(groups[1], "é").Value);

        // Groups do not share the lists they were read into.
        Assert.Equal("a:1", groups[0].Targets.Single().Single().Value);
        Assert.Equal("b:1", groups[1].Targets.Single().Single().Value);
    }

    [Fact]
    public void TryParseJson_FieldNamesInAnyCase_Accepted()
    {
        var groups = Json("""[{"TARGETS":["a:1"],"Labels":{"k":"v"}}]""");

        Assert.Equal(["""/sd/f.json:0 {__address__="a:1"} __meta_filepath="/sd/f.json",k="v" """.TrimEnd()], groups);
    }

    [Fact]
    public void TryParseJson_LabelsSortedOrdinally_MetaLabelOverridesUserValue()
    {
        var groups = Json("""[{"targets":["a:1"],"labels":{"b":"1","_a":"2","A":"3","__meta_filepath":"mine"}}]""");

        Assert.Equal(["""/sd/f.json:0 {__address__="a:1"} A="3",__meta_filepath="/sd/f.json",_a="2",b="1" """.TrimEnd()], groups);
    }

    [Fact]
    public void TryParseJson_NullsAndRepeats_DecodeAsGoDoes()
    {
        // null strings decode as "", a repeated field keeps its last value, null labels mean none.
        var groups = Json("""[{"targets":["x:1"],"targets":[null,"b:2"],"labels":{"k":null,"k2":"v","k2":"w"}},{"targets":["c:3"],"labels":null}]""");

        Assert.Equal(
            [
                """/sd/f.json:0 {__address__=""},{__address__="b:2"} __meta_filepath="/sd/f.json",k="",k2="w" """.TrimEnd(),
                """/sd/f.json:1 {__address__="c:3"} __meta_filepath="/sd/f.json" """.TrimEnd(),
            ],
            groups);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData(" [ ] \n")]
    public void TryParseJson_NullOrEmptyList_NoGroups(string text) => Assert.Empty(Json(text));

    [Theory]
    [InlineData("""[{"targets":["a"]},null]""", "nil target group item found")]
    [InlineData("""[{"targets":["a"],"foo":1}]""", "json: unknown field \"foo\" at line 1, column 19")]
    [InlineData("""[{"targets":["a"],"labels":{"k":1}}]""", "json: cannot unmarshal number into a label value (a string) at line 1, column 33")]
    [InlineData("""[{"targets":["a"],"labels":{"k":true}}]""", "json: cannot unmarshal bool into a label value (a string) at line 1, column 33")]
    [InlineData("""[{"targets":["a"],"labels":{"":"v"}}]""", "\"\" is not a valid label name at line 1, column 29")]
    [InlineData("""[{"targets":[1]}]""", "json: cannot unmarshal number into a target (a string) at line 1, column 14")]
    [InlineData("""[{"targets":"a"}]""", "json: cannot unmarshal string into targets (a list of strings) at line 1, column 13")]
    [InlineData("""[{"targets":["a"],"labels":[]}]""", "json: cannot unmarshal array into labels (an object of strings) at line 1, column 28")]
    [InlineData("""{"targets":["a"]}""", "json: cannot unmarshal object into a list of target groups at line 1, column 1")]
    [InlineData("""["a"]""", "json: cannot unmarshal string into a target group at line 1, column 2")]
    [InlineData("""[] []""", "'[' is invalid after a single JSON value. Expected end of data at line 1, column 4")]
    [InlineData("", "unexpected end of JSON input")]
    [InlineData("   ", "unexpected end of JSON input")]
    public void TryParseJson_Invalid_ReportsErrorWithPosition(string text, string expected) =>
        Assert.Equal(expected, JsonError(text));

    [Fact]
    public void TryParseJson_SyntaxErrorOnLaterLine_ReportsThatLine()
    {
        var error = JsonError("[\n  {\"targets\": [\"a\"]},\n  {\"targets\": [\"b\",]}\n]");

        Assert.EndsWith("at line 3, column 20", error);
    }

    [Fact]
    public void TryParseJson_Truncated_ReportsError()
    {
        var error = JsonError("""[{"targets":["a:1"]""");

        Assert.Contains("line 1", error);
    }

    [Fact]
    public void TryParseJson_InvalidUtf8LabelName_Rejected()
    {
        var bytes = Encoding.UTF8.GetBytes("""[{"targets":["a"],"labels":{"XX":"v"}}]""");
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        Assert.False(TargetGroupParser.TryParseJson(bytes, "s", Meta, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void TryParseYaml_ScalarsCoercedToTheirText_NullDropsValue()
    {
        var groups = Yaml("""
            - targets: [8080, "b:2", ~]
              labels:
                int: 123
                bool: true
                float: 1.50
                hex: 0x1F
                nul: ~
                empty:
                quoted: "null"
                text: plain words
            """);

        Assert.Equal(
            ["""/sd/f.json:0 {__address__="8080"},{__address__="b:2"},{__address__=""} __meta_filepath="/sd/f.json",bool="true",empty="",float="1.50",hex="0x1F",int="123",nul="",quoted="null",text="plain words" """.TrimEnd()],
            groups);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("[]")]
    public void TryParseYaml_EmptyDocuments_NoGroups(string text) => Assert.Empty(Yaml(text));

    [Fact]
    public void TryParseYaml_OnlyFirstDocument_Read()
    {
        var groups = Yaml("- targets: [a]\n---\n- targets: [b]\n");

        Assert.Equal(["""/sd/f.json:0 {__address__="a"} __meta_filepath="/sd/f.json" """.TrimEnd()], groups);
    }

    [Fact]
    public void TryParseYaml_GroupWithoutTargets_KeptAsEmptyGroup()
    {
        var groups = Yaml("- labels: {a: b}\n- {}\n");

        Assert.Equal(
            [
                """/sd/f.json:0  __meta_filepath="/sd/f.json",a="b" """.TrimEnd(),
                """/sd/f.json:1  __meta_filepath="/sd/f.json" """.TrimEnd(),
            ],
            groups);
    }

    [Theory]
    [InlineData("- targets: [a]\n- ~\n", "nil target group item found")]
    [InlineData("- targets: [a]\n  Targets: [b]\n", "yaml: line 2, column 3: field Targets not found in type targetgroup.Group")]
    [InlineData("- targets: [a]\n  foo: 1\n", "yaml: line 2, column 3: field foo not found in type targetgroup.Group")]
    [InlineData("- targets: a\n", "yaml: line 1, column 12: cannot unmarshal !!str into targets (a list of strings)")]
    [InlineData("- targets: [[a]]\n", "yaml: line 1, column 13: cannot unmarshal !!seq into a target (a string)")]
    [InlineData("- labels: {a: [1]}\n", "yaml: line 1, column 15: cannot unmarshal !!seq into a label value (a string)")]
    [InlineData("- labels: [a]\n", "yaml: line 1, column 11: cannot unmarshal !!seq into labels (a map of strings)")]
    [InlineData("- labels: {\"\": v}\n", "yaml: line 1, column 12: \"\" is not a valid label name")]
    [InlineData("targets: [a]\n", "yaml: line 1, column 1: cannot unmarshal !!map into a list of target groups")]
    [InlineData("- a\n", "yaml: line 1, column 3: cannot unmarshal !!str into a target group")]
    public void TryParseYaml_Invalid_ReportsErrorWithPosition(string text, string expected) =>
        Assert.Equal(expected, YamlError(text));

    [Theory]
    [InlineData("- targets: [a]\n  targets: [b]\n")]
    [InlineData("- labels: {a: 1, a: 2}\n")]
    [InlineData("- targets: [a\n")]
    public void TryParseYaml_DuplicateKeysOrSyntaxErrors_Rejected(string text) =>
        Assert.StartsWith("yaml: line ", YamlError(text));

    private static readonly Gen<string> NameGen = Gen.String[Gen.Char["abcXYZ_09:-.é\"\\ \t"], 1, 8];
    private static readonly Gen<string> ValueGen = Gen.String[Gen.Char["abc:/ 0123-é\"\\\n\u00e9\u4e2d"], 0, 10];

    private static readonly Gen<(string[] Targets, Dictionary<string, string> Labels)[]> GroupsGen =
        Gen.Select(
                ValueGen.Array[0, 4],
                Gen.Select(NameGen, ValueGen).Array[0, 5])
            .Select(g => (g.Item1, g.Item2.GroupBy(l => l.Item1).ToDictionary(x => x.Key, x => x.Last().Item2)))
            .Array[0, 4];

    [Fact]
    public void TryParse_GeneratedDocuments_JsonAndYamlAgreeWithModel()
    {
        // JSON is YAML flow syntax, so one serialized document checks both parsers against the model.
        GroupsGen.Sample(model =>
        {
            var json = Serialize(model);
            var expected = model.Select((g, i) => Expected(g.Targets, g.Labels, i)).ToArray();

            Assert.True(TargetGroupParser.TryParseJson(Encoding.UTF8.GetBytes(json), "/sd/f.json", Meta, out var fromJson, out var jsonError), jsonError);
            Assert.True(TargetGroupParser.TryParseYaml(json, "/sd/f.json", Meta, out var fromYaml, out var yamlError), yamlError);
            Assert.Equal(expected, GroupFormat.Render(fromJson));
            Assert.Equal(expected, GroupFormat.Render(fromYaml));
        }, iter: 500);
    }

    private static string Expected(string[] targets, Dictionary<string, string> labels, int index)
    {
        var all = new Dictionary<string, string>(labels) { [Meta.Name] = Meta.Value };
        var sorted = all.Select(kv => new Label(kv.Key, kv.Value)).OrderBy(l => l.Name, StringComparer.Ordinal).ToArray();
        var targetLabels = targets.Select(t => new[] { new Label("__address__", t) }).ToArray();
        return GroupFormat.Render(new TargetGroup("/sd/f.json:" + index, targetLabels, sorted));
    }

    private static string Serialize((string[] Targets, Dictionary<string, string> Labels)[] model)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var (targets, labels) in model)
            {
                writer.WriteStartObject();
                writer.WriteStartArray("targets");
                foreach (var target in targets)
                {
                    writer.WriteStringValue(target);
                }

                writer.WriteEndArray();
                writer.WriteStartObject("labels");
                foreach (var (name, value) in labels)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
