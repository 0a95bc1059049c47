using System.Globalization;
using Quartermaster.Core.Labels;
using Quartermaster.Core.Relabeling;

namespace Quartermaster.IntegrationTests.Relabeling;

/// <summary>
/// Seeded random relabel jobs restricted to what Prometheus 2.42 (the promtool oracle) and 3.x agree on
/// (prometheus.md §6.3). Exclusions, each for a listed difference:
/// <list type="bullet">
/// <item>no '\n' anywhere (2.42's '.' does not match it);</item>
/// <item>legacy label names only (2.42 rejects UTF-8 names; the engine runs with legacy validation);</item>
/// <item>a replace whose <c>target_label</c> contains '$' always has a replacement that expands to non-empty text
/// (2.42 deletes the raw template name on an empty expansion, 3.x the expanded one);</item>
/// <item>no <c>params</c> (2.42 overwrites <c>__param_*</c>), no <c>(?&lt;name&gt;…)</c> (Go 1.19);</item>
/// <item>labelmap replacements are injective in the captured text, so that no two labels map to one name: 2.42
/// visits labels fully sorted after every rule, 3.x base-then-added (§1.14), so a collision has different winners;</item>
/// <item>default ports are handled by the caller (promtool runs with <c>no-default-scrape-port</c>, and results
/// whose address ends in :80 or :443 are not compared).</item>
/// </list>
/// </summary>
internal sealed class RelabelCaseGenerator
{
    private static readonly string[] GroupLabelNames =
    [
        "a", "b", "app", "env", "team", "x_1", "__meta_a", "__meta_b", "__meta_kubernetes_pod_name",
        "__meta_kubernetes_service_label_app", "__tmp_t",
    ];

    private static readonly string[] RareGroupLabelNames = ["job", "__metrics_path__", "__scheme__", "__param_m"];

    private static readonly string[] ExtraSourceNames = ["__address__", "job", "new", "__tmp_hash", "instance", "missing"];

    private static readonly string[] TargetNames =
    [
        "a", "b", "app", "env", "new", "out", "team", "__tmp_hash", "__meta_a", "instance", "x_1",
    ];

    private static readonly string[] RareTargetNames = ["__address__", "__scrape_interval__", "job", "__metrics_path__"];

    private static readonly string[] Values =
    [
        "prod", "Prod", "dev-1", "é", "Ω", "日本", "😀x", "a;b", "10.0.0.1", "app", "", "ſ", "\u212A", "x", "1",
        "ABC", "db.svc:9090", "İi", "ß", "30s", "team-a_b",
    ];

    private static readonly string[] ValueRegexTemplates =
    [
        "(.*)", "(.+)", "(.*);(.*)", "([a-z]+)-(\\d+)", "(?i)(prod|dev)(.*)", "(?P<name>[^;]*);(?P<n1>.*)", "(.)(.*)",
        "([^.]+)\\.(.*)", "(.*?)(\\d*)", "(\\w+)(.*)", "(é|Ω)(.*)", "(?i)(ß|k)(.*)", "(.*):(\\d+)", "", "prod",
        "(.*)o(.*)", ".*", "(?i)PROD", "(a|ab)(c|bcd)(d*)", "([^;]+)", "(.*)-(.*)", "(\\pL+)(.*)",
    ];

    private static readonly string[] NameRegexes =
    [
        "__meta_.*", "a.*", "(?i)ENV|TEAM", "x_\\d", "[a-e].*", "team", "__tmp_.*", "(?i)__META_.*", "new|out", "b",
    ];

    private static readonly string[] KeepNameRegexes = ["__.*|a|app|env", "__.*|[a-e].*", "[^x].*", "_.*|.*e.*"];

    // Injective in the captured text: prefix(.+) mapped to a template that uses ${1} exactly once.
    private static readonly string[] LabelMapPrefixes = ["__meta_", "__meta_kubernetes_", "a", "__tmp_", "(?i)__META_", "e", ""];

    private static readonly string[] LabelMapReplacements = ["m_${1}", "${1}", "l${1}", "${1}_c"];

    private static readonly string[] ReplacementPieces =
    [
        "x", "-", "é", ":", "_", "$1", "${1}", "$2", "$0", "${0}", "$$", "$1x", "${1}x", "$10", "$", "${name}", "$n1",
        "$name", "$1.5", "${2}", "😀",
    ];

    private static readonly string[] TemplateTargets = ["t_${1}", "${1}", "$1", "x$1", "t_$name", "l_${2}"];

    private readonly Random _rnd;
    private readonly RegexGrammar _grammar;

    public RelabelCaseGenerator(Random rnd)
    {
        _rnd = rnd;
        _grammar = new RegexGrammar(rnd);
    }

    public RelabelJob NextJob(string name, int targetCount)
    {
        var rules = new List<RelabelConfig>();
        var ruleCount = 1 + _rnd.Next(6);
        for (var i = 0; i < ruleCount; i++)
        {
            rules.Add(NextRule());
        }

        var targets = new List<StaticTarget>();
        for (var i = 0; i < targetCount; i++)
        {
            targets.Add(NextTarget(i));
        }

        return new RelabelJob(name, rules, targets);
    }

    public StaticTarget NextTarget(int index)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = _rnd.Next(2, 8);
        for (var i = 0; i < count; i++)
        {
            var n = _rnd.Next(100) < 8
                ? RareGroupLabelNames[_rnd.Next(RareGroupLabelNames.Length)]
                : GroupLabelNames[_rnd.Next(GroupLabelNames.Length)];
            labels[n] = NextValue();
        }

        var address = $"h{index}-{Pick(["node", "é", "db"])}.example:{_rnd.Next(1000, 9999)}";
        labels[PromtoolResult.CaseLabel] = index.ToString(CultureInfo.InvariantCulture);
        return new StaticTarget(address, [.. labels.Select(static kv => new Label(kv.Key, kv.Value))]);
    }

    private string NextValue() => _rnd.Next(100) < 70 ? Pick(Values) : RegexGrammar.RandomText(_rnd, 6);

    private RelabelConfig NextRule()
    {
        var roll = _rnd.Next(100);
        return roll switch
        {
            < 30 => NextReplace(),
            < 38 => new RelabelConfig { Action = RelabelAction.Keep, SourceLabels = Sources(), Separator = Separator(), Regex = ValueRegex().Pattern },
            < 46 => new RelabelConfig { Action = RelabelAction.Drop, SourceLabels = Sources(), Separator = Separator(), Regex = ValueRegex().Pattern },
            < 50 => new RelabelConfig { Action = RelabelAction.KeepEqual, SourceLabels = Sources(), TargetLabel = Pick(TargetNames) },
            < 54 => new RelabelConfig { Action = RelabelAction.DropEqual, SourceLabels = Sources(), TargetLabel = Pick(TargetNames) },
            < 60 => new RelabelConfig
            {
                Action = RelabelAction.HashMod, SourceLabels = Sources(), Separator = Separator(),
                TargetLabel = Pick(["__tmp_hash", "new", "a"]), Modulus = (ulong)Pick([1, 2, 3, 10, 1000]),
            },
            < 68 => new RelabelConfig
            {
                Action = RelabelAction.LabelMap, Regex = Pick(LabelMapPrefixes) + "(.+)", Replacement = Pick(LabelMapReplacements),
            },
            < 75 => new RelabelConfig { Action = RelabelAction.LabelDrop, Regex = Pick(NameRegexes) },
            < 80 => new RelabelConfig { Action = RelabelAction.LabelKeep, Regex = Pick(KeepNameRegexes) },
            < 90 => new RelabelConfig { Action = RelabelAction.Lowercase, SourceLabels = Sources(), Separator = Separator(), TargetLabel = Pick(TargetNames) },
            _ => new RelabelConfig { Action = RelabelAction.Uppercase, SourceLabels = Sources(), Separator = Separator(), TargetLabel = Pick(TargetNames) },
        };
    }

    private RelabelConfig NextReplace()
    {
        var omitSources = _rnd.Next(100) < 10;
        var useDefaultRegex = _rnd.Next(100) < 15;
        var regex = useDefaultRegex ? null : ValueRegex();
        var templatedTarget = _rnd.Next(100) < 15;
        var target = templatedTarget
            ? Pick(TemplateTargets)
            : _rnd.Next(100) < 8 ? Pick(RareTargetNames) : Pick(TargetNames);
        var replacement = Replacement(allowEmpty: !templatedTarget);
        if (templatedTarget)
        {
            replacement = "v" + replacement;
        }

        return new RelabelConfig
        {
            Action = RelabelAction.Replace,
            SourceLabels = omitSources ? [] : Sources(),
            Separator = Separator(),
            Regex = regex?.Pattern,
            TargetLabel = target,
            Replacement = replacement,
        };
    }

    private string Replacement(bool allowEmpty)
    {
        var roll = _rnd.Next(100);
        if (roll < 25)
        {
            return "$1";
        }

        if (allowEmpty && roll < 31)
        {
            return "";
        }

        var count = 1 + _rnd.Next(3);
        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = Pick(ReplacementPieces);
        }

        return string.Concat(parts);
    }

    private GeneratedPattern ValueRegex()
    {
        if (_rnd.Next(100) < 45)
        {
            var template = Pick(ValueRegexTemplates);
            return new GeneratedPattern(template, 0, [], static _ => "");
        }

        return _grammar.Next();
    }

    private List<string> Sources()
    {
        var count = _rnd.Next(100) < 70 ? 1 : _rnd.Next(2, 4);
        var list = new List<string>();
        for (var i = 0; i < count; i++)
        {
            list.Add(_rnd.Next(100) < 20 ? Pick(ExtraSourceNames) : Pick(GroupLabelNames));
        }

        return list;
    }

    private string Separator() => _rnd.Next(100) < 80 ? ";" : Pick(["-", "", "é", ";;"]);

    private T Pick<T>(T[] items) => items[_rnd.Next(items.Length)];
}
