namespace Quartermaster.Core.Relabeling;

/// <summary>The relabel actions Prometheus 3.x supports; YAML names are the lower-case forms.</summary>
public enum RelabelAction
{
    Replace,
    Keep,
    Drop,
    KeepEqual,
    DropEqual,
    HashMod,
    LabelMap,
    LabelDrop,
    LabelKeep,
    Lowercase,
    Uppercase,
}

/// <summary>One <c>relabel_configs</c> entry as written in the config, with Prometheus' defaults applied.</summary>
public sealed class RelabelConfig
{
    public const string DefaultRegex = "(.*)";

    public IReadOnlyList<string> SourceLabels { get; init; } = [];

    public string Separator { get; init; } = ";";

    /// <summary>
    /// The regex as written (unanchored). <c>null</c> means the key was omitted, which is Prometheus' default
    /// <c>(.*)</c> and is not the same as an explicit <c>regex: (.*)</c> (spec prometheus.md §1.1, pitfall 8).
    /// An explicit YAML null is the empty regex <c>""</c>.
    /// </summary>
    public string? Regex { get; init; }

    public bool RegexIsDefault => Regex is null;

    /// <summary>The effective regex source: the default when omitted.</summary>
    public string EffectiveRegex => Regex ?? DefaultRegex;

    public ulong Modulus { get; init; }

    public string TargetLabel { get; init; } = "";

    public string Replacement { get; init; } = "$1";

    public RelabelAction Action { get; init; } = RelabelAction.Replace;

    public static string ActionName(RelabelAction action) => action switch
    {
        RelabelAction.Replace => "replace",
        RelabelAction.Keep => "keep",
        RelabelAction.Drop => "drop",
        RelabelAction.KeepEqual => "keepequal",
        RelabelAction.DropEqual => "dropequal",
        RelabelAction.HashMod => "hashmod",
        RelabelAction.LabelMap => "labelmap",
        RelabelAction.LabelDrop => "labeldrop",
        RelabelAction.LabelKeep => "labelkeep",
        RelabelAction.Lowercase => "lowercase",
        RelabelAction.Uppercase => "uppercase",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
