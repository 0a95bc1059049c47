using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;
using static Quartermaster.Core.Tests.Relabeling.TestLabels;

namespace Quartermaster.Core.Tests.Relabeling;

public sealed class RelabelerTests
{
    public sealed record Case(string Name, Label[] Input, RelabelConfig[] Rules, Label[]? Output)
    {
        public override string ToString() => Name;
    }

    private static RelabelConfig Replace(string[] src, string? regex, string target, string replacement = "$1") =>
        new() { SourceLabels = src, Regex = regex, TargetLabel = target, Replacement = replacement };

    // Ported from Prometheus v3.14 model/relabel/relabel_test.go TestRelabel (prometheus.md §1.13); null output = dropped.
    public static TheoryData<Case> Cases() =>
    [
        new Case("1 capture into target", Of("a", "foo", "b", "bar", "c", "baz"),
            [Replace(["a"], "f(.*)", "d", "ch${1}-ch${1}")],
            Of("a", "foo", "b", "bar", "c", "baz", "d", "choo-choo")),
        new Case("2 chained replaces read earlier output", Of("a", "foo", "b", "bar", "c", "baz"),
            [
                Replace(["a", "b"], "f(.*);(.*)r", "a", "b${1}${2}m"),
                Replace(["c", "a"], "(b).*b(.*)ba(.*)", "d", "$1$2$2$3"),
            ],
            Of("a", "boobam", "b", "bar", "c", "baz", "d", "boooom")),
        new Case("3 drop before replace", Of("a", "foo"),
            [
                new() { SourceLabels = ["a"], Regex = ".*o.*", Action = RelabelAction.Drop },
                Replace(["a"], "f(.*)", "d", "ch$1-ch$1"),
            ],
            null),
        new Case("4 drop matches", Of("a", "foo", "b", "bar"),
            [new() { SourceLabels = ["a"], Regex = ".*o.*", Action = RelabelAction.Drop }], null),
        new Case("5 capture inside", Of("a", "abc"), [Replace(["a"], ".*(b).*", "d")], Of("a", "abc", "d", "b")),
        new Case("6 drop no match keeps", Of("a", "foo"),
            [new() { SourceLabels = ["a"], Regex = "no-match", Action = RelabelAction.Drop }], Of("a", "foo")),
        new Case("7 drop partial match keeps", Of("a", "foo"),
            [new() { SourceLabels = ["a"], Regex = "f|o", Action = RelabelAction.Drop }], Of("a", "foo")),
        new Case("8 keep no match drops", Of("a", "foo"),
            [new() { SourceLabels = ["a"], Regex = "no-match", Action = RelabelAction.Keep }], null),
        new Case("9 keep match", Of("a", "foo"),
            [new() { SourceLabels = ["a"], Regex = "f.*", Action = RelabelAction.Keep }], Of("a", "foo")),
        new Case("10 replace no match", Of("a", "boo"), [Replace(["a"], "f", "b", "bar")], Of("a", "boo")),
        new Case("11 blank replacement deletes expanded target", Of("a", "foo", "f", "baz"),
            [Replace(["a"], "(f).*", "$1", "$2")], Of("a", "foo")),
        new Case("12 hashmod baz", Of("a", "foo", "b", "bar", "c", "baz"),
            [new() { SourceLabels = ["c"], TargetLabel = "d", Modulus = 1000, Action = RelabelAction.HashMod }],
            Of("a", "foo", "b", "bar", "c", "baz", "d", "976")),
        new Case("13 hashmod multiline", Of("a", "foo", "b", "bar", "c", "foo\nbar"),
            [new() { SourceLabels = ["c"], TargetLabel = "d", Modulus = 1000, Action = RelabelAction.HashMod }],
            Of("a", "foo", "b", "bar", "c", "foo\nbar", "d", "734")),
        new Case("14 labelmap", Of("a", "foo", "b1", "bar", "b2", "baz"),
            [new() { Regex = "(b.*)", Replacement = "bar_${1}", Action = RelabelAction.LabelMap }],
            Of("a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz")),
        new Case("15 labelmap meta", Of("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc"),
            [new() { Regex = "__meta_(my.*)", Replacement = "${1}", Action = RelabelAction.LabelMap }],
            Of("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc", "my_bar", "aaa",
                "my_baz", "bbb")),
        new Case("16 templated target", Of("a", "some-name-value"),
            [Replace(["a"], "some-([^-]+)-([^,]+)", "${1}", "${2}")], Of("a", "some-name-value", "name", "value")),
        new Case("17 missing group replacement is a no-op delete", Of("a", "some-name-value"),
            [Replace(["a"], "some-([^-]+)-([^,]+)", "${1}", "${3}")], Of("a", "some-name-value")),
        new Case("18 invalid expanded target skips the rule", Of("a", "some-name-0"),
            [
                Replace(["a"], "some-([^-]+)-([^,]+)", "${3}", "${1}"),
                Replace(["a"], "some-([^-]+)(-[^,]+)", "${3}", "${1}"),
                Replace(["a"], "some-([^-]+)(-[^,]+)", "${3}", "${1}"),
            ],
            Of("a", "some-name-0")),
        new Case("19 packed sd tags", Of("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"),
            [
                Replace(["__meta_sd_tags"], "(?:.+,|^)path:(/[^,]+).*", "__metrics_path__", "${1}"),
                Replace(["__meta_sd_tags"], "(?:.+,|^)job:([^,]+).*", "job", "${1}"),
                Replace(["__meta_sd_tags"], "(?:.+,|^)label:([^=]+)=([^,]+).*", "${1}", "${2}"),
            ],
            Of("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar", "__metrics_path__", "/secret", "job",
                "some-job", "foo", "bar")),
        new Case("20 set after labeldrop is visible to keep", Of("__name__", "m", "X", "old"),
            [
                new() { Regex = "X", Action = RelabelAction.LabelDrop },
                new() { TargetLabel = "X", Replacement = "metrics" },
                new() { SourceLabels = ["X"], Regex = "^metrics$", Action = RelabelAction.Keep },
            ],
            Of("__name__", "m", "X", "metrics")),
        new Case("21 labelkeep", Of("a", "foo", "b1", "bar", "b2", "baz"),
            [new() { Regex = "(b.*)", Action = RelabelAction.LabelKeep }], Of("b1", "bar", "b2", "baz")),
        new Case("22 labeldrop", Of("a", "foo", "b1", "bar", "b2", "baz"),
            [new() { Regex = "(b.*)", Action = RelabelAction.LabelDrop }], Of("a", "foo")),
        new Case("23 upper and lower", Of("foo", "bAr123Foo"),
            [
                new() { SourceLabels = ["foo"], TargetLabel = "foo_uppercase", Action = RelabelAction.Uppercase },
                new() { SourceLabels = ["foo"], TargetLabel = "foo_lowercase", Action = RelabelAction.Lowercase },
            ],
            Of("foo", "bAr123Foo", "foo_lowercase", "bar123foo", "foo_uppercase", "BAR123FOO")),
        new Case("24 keepequal equal", Of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"),
            [new() { SourceLabels = ["__port1"], TargetLabel = "__tmp_port", Action = RelabelAction.KeepEqual }],
            Of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678")),
        new Case("25 keepequal unequal", Of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"),
            [new() { SourceLabels = ["__port2"], TargetLabel = "__tmp_port", Action = RelabelAction.KeepEqual }], null),
        new Case("26 dropequal equal", Of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"),
            [new() { SourceLabels = ["__port1"], TargetLabel = "__tmp_port", Action = RelabelAction.DropEqual }], null),
        new Case("27 dropequal unequal", Of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"),
            [new() { SourceLabels = ["__port2"], TargetLabel = "__tmp_port", Action = RelabelAction.DropEqual }],
            Of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678")),
        new Case("28 dotall and missing group", Of("a", "line1\nline2", "b", "bar", "c", "baz"),
            [Replace(["a"], "line1.*line2", "d", "match${1}")],
            Of("a", "line1\nline2", "b", "bar", "c", "baz", "d", "match")),
        new Case("29 utf8 source label", Of("utf-8.label", "line1\nline2", "b", "bar"),
            [Replace(["utf-8.label"], "line1.*line2", "d", "match${1}")],
            Of("utf-8.label", "line1\nline2", "b", "bar", "d", "match")),
        new Case("30 utf8 target label", Of("a", "line1\nline2"),
            [Replace(["a"], "line1.*line2", "utf-8.label", "match${1}")],
            Of("a", "line1\nline2", "utf-8.label", "match")),
        new Case("31 utf8 templated target", Of("a", "line1\nline2"),
            [Replace(["a"], "line1.*line2", "utf-8.label${1}", "match${1}")],
            Of("a", "line1\nline2", "utf-8.label", "match")),
        new Case("32 named groups", Of("a", "foo-bar"),
            [
                Replace(["a"], "(?<first>[^-]+)-(?<second>.+)", "${second}", "label1_${1}"),
                Replace(["a"], "(?P<first>[^-]+)-(?P<second>.+)", "x_$second", "label2_$1"),
            ],
            Of("a", "foo-bar", "bar", "label1_foo", "x_bar", "label2_foo")),
        new Case("33 type from name", Of("__name__", "foo_seconds_total"),
            [Replace(["__name__"], ".*_total", "__type__", "counter")],
            Of("__name__", "foo_seconds_total", "__type__", "counter")),
        new Case("34 unit from name", Of("__name__", "foo_seconds_total"),
            [Replace(["__name__"], ".*_(seconds)_total", "__unit__", "$1")],
            Of("__name__", "foo_seconds_total", "__unit__", "seconds")),
        new Case("empty regex only matches empty", Of("a", "foo"),
            [Replace(["b"], "", "c", "empty"), Replace(["a"], "", "d", "nope")],
            Of("a", "foo", "c", "empty")),
        new Case("escaping wrapper matches prefix or suffix", Of("a", "axx", "b", "xxb"),
            [
                new() { SourceLabels = ["a"], Regex = "a)|(b", Action = RelabelAction.Keep },
                new() { SourceLabels = ["b"], Regex = "a)|(b", Action = RelabelAction.Keep },
            ],
            Of("a", "axx", "b", "xxb")),
        new Case("fast path with no sources sets replacement", Of("a", "foo"),
            [new() { TargetLabel = "env", Replacement = "prod" }], Of("a", "foo", "env", "prod")),
        new Case("empty replacement deletes through fast path", Of("a", "foo"),
            [new() { TargetLabel = "a", Replacement = "" }], Of()),
        new Case("missing sources join to separator", Of("a", "foo"),
            [Replace(["x", "y"], "(.*)", "z", "[$1]")], Of("a", "foo", "z", "[;]")),
        new Case("lowercase empty deletes", Of("a", "foo"),
            [new() { SourceLabels = ["missing"], TargetLabel = "a", Action = RelabelAction.Lowercase }], Of()),
        new Case("go case mapping of dotted and dotless i", Of("a", "\u0130x\u0131"),
            [
                new() { SourceLabels = ["a"], TargetLabel = "lower", Action = RelabelAction.Lowercase },
                new() { SourceLabels = ["a"], TargetLabel = "upper", Action = RelabelAction.Uppercase },
            ],
            Of("a", "\u0130x\u0131", "lower", "ix\u0131", "upper", "\u0130XI")),
        new Case("labelmap collision: base first, then added in insertion order", Of("b_x", "1"),
            [
                new() { TargetLabel = "a_x", Replacement = "2" },
                new() { Regex = "(?:a|b)_(.*)", Replacement = "$1", Action = RelabelAction.LabelMap },
            ],
            Of("a_x", "2", "b_x", "1", "x", "2")),
        new Case("labelmap result name is not validated", Of("ab", "1"),
            [new() { Regex = "a(.*)", Replacement = "${1}-", Action = RelabelAction.LabelMap }],
            Of("ab", "1", "b-", "1")),
        new Case("labeldrop then labelkeep keeps scrape essentials", Of("__address__", "h:1", "x", "1", "y", "2"),
            [
                new() { Regex = "x", Action = RelabelAction.LabelDrop },
                new() { Regex = "__.*|y", Action = RelabelAction.LabelKeep },
            ],
            Of("__address__", "h:1", "y", "2")),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Process_PrometheusTable_MatchesExpected(Case c)
    {
        foreach (var rule in c.Rules)
        {
            Assert.Null(Relabeler.Validate(rule, legacyNameValidation: false));
        }

        var relabeler = Relabeler.Compile(c.Rules);
        var builder = new LabelsBuilder(c.Input);
        var kept = relabeler.Process(builder);
        Assert.Equal(c.Output is not null, kept);
        if (c.Output is not null)
        {
            Assert.Equal(Format(c.Output), Format(builder.Labels()));
        }
    }

    [Theory]
    [InlineData("baz", 1000UL, 976UL)]
    [InlineData("foo\nbar", 1000UL, 734UL)]
    [InlineData("", 1000UL, 958UL)]
    [InlineData("10.0.0.1:9100", 1000UL, 645UL)]
    [InlineData("a;b", 1000UL, 74UL)]
    [InlineData("\u00e9", 1000UL, 23UL)]
    [InlineData("baz", 2UL, 0UL)]
    [InlineData("baz", 3UL, 2UL)]
    [InlineData("10.0.0.1:9100", 2UL, 1UL)]
    [InlineData("10.0.0.1:9100", 3UL, 2UL)]
    [InlineData("\u00e9", 2UL, 1UL)]
    [InlineData("\u00e9", 3UL, 2UL)]
    [InlineData("anything", 1UL, 0UL)]
    public void HashMod_SpecVectors_Match(string value, ulong modulus, ulong expected) =>
        Assert.Equal(expected, Relabeler.HashMod(value, modulus));

    [Fact]
    public void HashMod_LongValue_UsesPooledBuffer()
    {
        var value = new string('x', 10_000);
        Assert.Equal(Relabeler.HashMod(value, 1000), Relabeler.HashMod(new string('x', 10_000), 1000));
        Assert.InRange(Relabeler.HashMod(value, 1000), 0UL, 999UL);
    }

    public static TheoryData<RelabelConfig, bool, string?> ValidationCases() => new()
    {
        { new() { Action = RelabelAction.HashMod, TargetLabel = "t" }, false,
            "relabel configuration for hashmod requires non-zero modulus" },
        { new() { Action = RelabelAction.Replace }, false, "relabel configuration for replace action requires 'target_label' value" },
        { new() { Action = RelabelAction.Lowercase }, false, "relabel configuration for lowercase action requires 'target_label' value" },
        { new() { Action = RelabelAction.Uppercase }, false, "relabel configuration for uppercase action requires 'target_label' value" },
        { new() { Action = RelabelAction.KeepEqual }, false, "relabel configuration for keepequal action requires 'target_label' value" },
        { new() { Action = RelabelAction.DropEqual }, false, "relabel configuration for dropequal action requires 'target_label' value" },
        { new() { Action = RelabelAction.HashMod, Modulus = 2 }, false, "relabel configuration for hashmod action requires 'target_label' value" },
        { new() { TargetLabel = "l-$1", SourceLabels = ["a"] }, true, "\"l-$1\" is invalid 'target_label' for replace action" },
        { new() { TargetLabel = "l-$1", SourceLabels = ["a"] }, false, null },
        { new() { TargetLabel = "${1}", SourceLabels = ["a"] }, true, null },
        { new() { TargetLabel = "$1-x" }, true, "\"$1-x\" is invalid 'target_label' for replace action" },
        { new() { TargetLabel = "a-b" }, true, "\"a-b\" is invalid 'target_label' for replace action" },
        { new() { TargetLabel = "a-b" }, false, null },
        { new() { TargetLabel = "\ud800" }, false, "\"\\xed\\xa0\\x80\" is invalid 'target_label' for replace action" },
        { new() { Action = RelabelAction.Lowercase, TargetLabel = "${3}" }, false, null },
        { new() { Action = RelabelAction.Lowercase, TargetLabel = "${3}" }, true,
            "\"${3}\" is invalid 'target_label' for lowercase action" },
        { new() { Action = RelabelAction.Uppercase, TargetLabel = "x", Replacement = "y" }, false,
            "'replacement' can not be set for uppercase action" },
        { new() { Action = RelabelAction.LabelMap, Replacement = "a-${1}" }, true,
            "\"a-${1}\" is invalid 'replacement' for labelmap action" },
        { new() { Action = RelabelAction.LabelMap, Replacement = "a_${1}" }, true, null },
        { new() { Action = RelabelAction.HashMod, Modulus = 2, TargetLabel = "a-b" }, true,
            "\"a-b\" is invalid 'target_label' for hashmod action" },
        { new() { Action = RelabelAction.KeepEqual, TargetLabel = "t", Regex = "(.*)" }, false,
            "keepequal action requires only 'source_labels' and `target_label`, and no other fields" },
        { new() { Action = RelabelAction.DropEqual, TargetLabel = "t", Separator = "," }, false,
            "dropequal action requires only 'source_labels' and `target_label`, and no other fields" },
        { new() { Action = RelabelAction.KeepEqual, TargetLabel = "t" }, false, null },
        { new() { Action = RelabelAction.LabelDrop, SourceLabels = ["a"] }, false,
            "labeldrop action requires only 'regex', and no other fields" },
        { new() { Action = RelabelAction.LabelKeep, TargetLabel = "a" }, false,
            "labelkeep action requires only 'regex', and no other fields" },
        { new() { Action = RelabelAction.LabelKeep, Replacement = "x" }, false,
            "labelkeep action requires only 'regex', and no other fields" },
        { new() { Action = RelabelAction.LabelDrop, Regex = "x" }, false, null },
    };

    [Theory]
    [MemberData(nameof(ValidationCases))]
    public void Validate_PrometheusRules_ReturnsExactMessage(RelabelConfig cfg, bool legacy, string? expected) =>
        Assert.Equal(expected, Relabeler.Validate(cfg, legacy));

    [Theory]
    [InlineData("foo", true)]
    [InlineData("foo${bar}foo", true)]
    [InlineData("$1", true)]
    [InlineData("asd$2asd", true)]
    [InlineData("-foo${bar}foo", false)]
    [InlineData("_${1}_", true)]
    [InlineData("foo${", false)]
    [InlineData("$", false)]
    [InlineData("${1}", true)]
    [InlineData("foo$bar", true)]
    [InlineData("a-b", false)]
    [InlineData("9x", false)]
    public void Validate_LegacyTemplatedTarget_FollowsRelabelTargetLegacy(string target, bool valid)
    {
        var cfg = new RelabelConfig { TargetLabel = target, SourceLabels = ["a"] };
        Assert.Equal(valid, Relabeler.Validate(cfg, legacyNameValidation: true) is null);
    }

    [Fact]
    public void Compile_BadRegex_ThrowsWithIndexAndGoMessage()
    {
        RelabelConfig[] rules = [new() { TargetLabel = "x" }, new() { TargetLabel = "y", Regex = "abc(def" }];
        var ex = Assert.Throws<RelabelConfigException>(() => Relabeler.Compile(rules));
        Assert.Equal(1, ex.Index);
        Assert.Equal("error parsing regexp: missing closing ): `^(?s:abc(def)$`", ex.Reason);
    }

    [Fact]
    public void Compile_InvalidRule_ThrowsWithIndex()
    {
        RelabelConfig[] rules = [new() { Action = RelabelAction.HashMod, TargetLabel = "t" }];
        var ex = Assert.Throws<RelabelConfigException>(() => Relabeler.Compile(rules));
        Assert.Equal(0, ex.Index);
        Assert.Equal("relabel configuration for hashmod requires non-zero modulus", ex.Reason);
    }

    [Fact]
    public void Process_InvalidExpandedTargetUnderLegacy_SkipsRule()
    {
        var relabeler = Relabeler.Compile([Replace(["a"], "(.*)", "${1}")], legacyNameValidation: true);
        var builder = new LabelsBuilder(Of("a", "x-y"));
        Assert.True(relabeler.Process(builder));
        Assert.Equal(Format(Of("a", "x-y")), Format(builder.Labels()));
    }
}
