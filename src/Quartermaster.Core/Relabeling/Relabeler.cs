using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Quartermaster.Core.Labels;

namespace Quartermaster.Core.Relabeling;

/// <summary>
/// A compiled list of <c>relabel_configs</c>, applied to a <see cref="LabelsBuilder"/> exactly as Prometheus 3.x
/// <c>relabel.ProcessBuilder</c> does (prometheus.md §1.3–§1.11). Thread-safe; per-call scratch buffers are
/// thread-local.
/// </summary>
public sealed class Relabeler
{
    [ThreadStatic]
    private static List<Label>? t_snapshot;

    [ThreadStatic]
    private static char[]? t_joined;

    [ThreadStatic]
    private static string[]? t_parts;

    private readonly Rule[] _rules;
    private readonly bool _legacyNames;

    private Relabeler(Rule[] rules, bool legacyNames)
    {
        _rules = rules;
        _legacyNames = legacyNames;
    }

    public int Count => _rules.Length;

    /// <summary>Prometheus' <c>relabel.Config.Validate</c>: its exact error message, or null when valid.</summary>
    public static string? Validate(RelabelConfig cfg, bool legacyNameValidation)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        var action = cfg.Action;
        var name = RelabelConfig.ActionName(action);
        if (action == RelabelAction.HashMod && cfg.Modulus == 0)
        {
            return "relabel configuration for hashmod requires non-zero modulus";
        }

        if (action is RelabelAction.Replace or RelabelAction.HashMod or RelabelAction.Lowercase or RelabelAction.Uppercase
                or RelabelAction.KeepEqual or RelabelAction.DropEqual
            && cfg.TargetLabel.Length == 0)
        {
            return $"relabel configuration for {name} action requires 'target_label' value";
        }

        if (action == RelabelAction.Replace && !IsValidTemplate(cfg.TargetLabel, legacyNameValidation))
        {
            return $"{GoText.Quote(cfg.TargetLabel)} is invalid 'target_label' for replace action";
        }

        var caseOrEqual = action is RelabelAction.Lowercase or RelabelAction.Uppercase or RelabelAction.KeepEqual
            or RelabelAction.DropEqual;
        if (caseOrEqual && !LabelNames.IsValid(cfg.TargetLabel, legacyNameValidation))
        {
            return $"{GoText.Quote(cfg.TargetLabel)} is invalid 'target_label' for {name} action";
        }

        if (caseOrEqual && cfg.Replacement != "$1")
        {
            return $"'replacement' can not be set for {name} action";
        }

        if (action == RelabelAction.LabelMap && !IsValidTemplate(cfg.Replacement, legacyNameValidation))
        {
            return $"{GoText.Quote(cfg.Replacement)} is invalid 'replacement' for labelmap action";
        }

        if (action == RelabelAction.HashMod && !LabelNames.IsValid(cfg.TargetLabel, legacyNameValidation))
        {
            return $"{GoText.Quote(cfg.TargetLabel)} is invalid 'target_label' for hashmod action";
        }

        if (action is RelabelAction.KeepEqual or RelabelAction.DropEqual
            && (!cfg.RegexIsDefault || cfg.Modulus != 0 || cfg.Separator != ";" || cfg.Replacement != "$1"))
        {
            return $"{name} action requires only 'source_labels' and `target_label`, and no other fields";
        }

        // Prometheus also rejects an explicit empty `source_labels: []`; the model cannot tell it from an omitted
        // list, so only a non-empty list is rejected here.
        if (action is RelabelAction.LabelDrop or RelabelAction.LabelKeep
            && (cfg.SourceLabels.Count > 0 || cfg.TargetLabel.Length != 0 || cfg.Modulus != 0 || cfg.Separator != ";"
                || cfg.Replacement != "$1"))
        {
            return $"{name} action requires only 'regex', and no other fields";
        }

        return null;
    }

    /// <summary>Validates and compiles <paramref name="configs"/>.</summary>
    /// <exception cref="RelabelConfigException">A rule is invalid or its regex does not compile.</exception>
    public static Relabeler Compile(IReadOnlyList<RelabelConfig> configs, bool legacyNameValidation = false)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var rules = new Rule[configs.Count];
        for (var i = 0; i < configs.Count; i++)
        {
            var cfg = configs[i] ?? throw new RelabelConfigException(i, "empty or null target relabeling rule in scrape config");
            if (Validate(cfg, legacyNameValidation) is { } message)
            {
                throw new RelabelConfigException(i, message);
            }

            GoRegex regex;
            try
            {
                regex = GoRegex.Get(cfg.EffectiveRegex);
            }
            catch (GoRegexException ex)
            {
                throw new RelabelConfigException(i, ex.Message);
            }

            rules[i] = new Rule(cfg, regex, legacyNameValidation);
        }

        return new Relabeler(rules, legacyNameValidation);
    }

    /// <summary>Applies every rule in order; false when a rule drops the target (the builder is then partial).</summary>
    public bool Process(LabelsBuilder builder) => Process(builder, out _);

    /// <summary>As <see cref="Process(LabelsBuilder)"/>; <paramref name="droppedBy"/> is the index of the rule that dropped the target, or -1.</summary>
    public bool Process(LabelsBuilder builder, out int droppedBy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        for (var i = 0; i < _rules.Length; i++)
        {
            if (!Apply(_rules[i], builder))
            {
                droppedBy = i;
                return false;
            }
        }

        droppedBy = -1;
        return true;
    }

    /// <summary>
    /// As <see cref="Process(LabelsBuilder, out int)"/>, and appends one <see cref="RelabelStep"/> per rule applied to
    /// <paramref name="trace"/>: the label set before and after the rule and whether the target survived it. Each rule
    /// is applied by the same code as the untraced path, so the result is the same; the snapshots make it slow, for
    /// explaining single targets only.
    /// </summary>
    public bool Process(LabelsBuilder builder, out int droppedBy, ICollection<RelabelStep> trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(trace);
        var before = builder.Labels();
        for (var i = 0; i < _rules.Length; i++)
        {
            var kept = Apply(_rules[i], builder);
            var after = kept ? builder.Labels() : before;
            trace.Add(new RelabelStep(i, _rules[i].Action, before, after, kept));
            if (!kept)
            {
                droppedBy = i;
                return false;
            }

            before = after;
        }

        droppedBy = -1;
        return true;
    }

    /// <summary>Go <c>md5</c> hashmod: bytes 8..15 of MD5(UTF-8 value) as a big-endian uint64, modulo <paramref name="modulus"/>.</summary>
    public static ulong HashMod(string value, ulong modulus)
    {
        ArgumentNullException.ThrowIfNull(value);
        return HashMod(value.AsSpan(), modulus);
    }

    /// <summary>As <see cref="HashMod(string, ulong)"/>, over a span.</summary>
    public static ulong HashMod(ReadOnlySpan<char> value, ulong modulus)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var bytes = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, bytes);
            Span<byte> hash = stackalloc byte[16];
#pragma warning disable CA5351 // Not security: Prometheus' hashmod is defined as MD5.
            MD5.HashData(bytes[..length], hash);
#pragma warning restore CA5351
            return BinaryPrimitives.ReadUInt64BigEndian(hash[8..]) % modulus;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Under UTF-8 a templated name only has to be valid UTF-8; under legacy it must match relabelTargetLegacy.
    private static bool IsValidTemplate(string value, bool legacy)
    {
        if (!value.Contains('$', StringComparison.Ordinal))
        {
            return LabelNames.IsValid(value, legacy);
        }

        return legacy
            ? GoRegex.Get("(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+").IsMatch(value)
            : LabelNames.IsValidUtf8Name(value);
    }

    private bool Apply(Rule rule, LabelsBuilder lb)
    {
        if (rule.Action is RelabelAction.LabelMap or RelabelAction.LabelDrop or RelabelAction.LabelKeep)
        {
            ApplyNameRule(rule, lb);
            return true;
        }

        var source = new SourceValue(rule, lb);
        var val = source.Span;
        switch (rule.Action)
        {
            case RelabelAction.Drop:
                return !rule.Regex.IsMatch(val);
            case RelabelAction.Keep:
                return rule.Regex.IsMatch(val);
            case RelabelAction.DropEqual:
                return !lb.Get(rule.TargetLabel).AsSpan().SequenceEqual(val);
            case RelabelAction.KeepEqual:
                return lb.Get(rule.TargetLabel).AsSpan().SequenceEqual(val);
            case RelabelAction.Replace:
                ApplyReplace(rule, lb, source);
                return true;
            case RelabelAction.Lowercase:
                lb.Set(rule.TargetLabel, GoText.ToLower(source.ToText()));
                return true;
            case RelabelAction.Uppercase:
                lb.Set(rule.TargetLabel, GoText.ToUpper(source.ToText()));
                return true;
            case RelabelAction.HashMod:
                lb.Set(rule.TargetLabel, rule.HashModText(rule.Modulus == 1 ? 0 : HashMod(val, rule.Modulus)));
                return true;
            default:
                throw new InvalidOperationException($"unknown relabel action {rule.Action}");
        }
    }

    private void ApplyReplace(Rule rule, LabelsBuilder lb, SourceValue source)
    {
        var val = source.Span;

        // Prometheus' fast path; the general path gives the same result.
        if (val.Length == 0 && rule.FastPathEligible)
        {
            lb.Set(rule.TargetLabel, rule.Replacement);
            return;
        }

        if (!rule.TargetHasDollar && !rule.ReplacementHasDollar)
        {
            // Nothing to expand: only whether the regex matches matters.
            if (rule.LiteralTargetValid && rule.Regex.IsMatch(val))
            {
                SetOrDelete(lb, rule.TargetLabel, rule.Replacement);
            }

            return;
        }

        if (!rule.TargetHasDollar && rule.ReplacementIsGroupOne)
        {
            switch (rule.Regex.TryMatchSimple(val, out var group))
            {
                case 0:
                    return;
                case 1:
                    if (rule.LiteralTargetValid)
                    {
                        // Reuse a string equal to the result (the target's value or a source's) instead of allocating.
                        SetOrDelete(lb, rule.TargetLabel, source.Text(group, lb.Get(rule.TargetLabel)));
                    }

                    return;
            }
        }

        var match = rule.Regex.Match(source.ToText());
        if (match is null)
        {
            return;
        }

        var target = rule.TargetHasDollar ? GoExpand.Expand(rule.TargetLabel, match) : rule.TargetLabel;
        if (rule.TargetHasDollar ? !LabelNames.IsValid(target, _legacyNames) : !rule.LiteralTargetValid)
        {
            return;
        }

        var result = rule.ReplacementHasDollar ? GoExpand.Expand(rule.Replacement, match) : rule.Replacement;
        SetOrDelete(lb, target, result);
    }

    private static void SetOrDelete(LabelsBuilder lb, string name, string value)
    {
        if (value.Length == 0)
        {
            lb.Del(name);
        }
        else
        {
            lb.Set(name, value);
        }
    }

    private static void ApplyNameRule(Rule rule, LabelsBuilder lb)
    {
        if (rule.Action == RelabelAction.LabelDrop && rule.Regex.IsLiteral)
        {
            // Only the label named exactly so matches; deleting a name that is not in the set changes nothing.
            lb.Del(rule.Regex.Source);
            return;
        }

        // Range works on a snapshot, so rules may change the builder while iterating (Go Builder.Range).
        var snapshot = t_snapshot ??= new List<Label>(64);
        snapshot.Clear();
        lb.CopyRangeTo(snapshot);
        try
        {
            foreach (var label in snapshot)
            {
                switch (rule.Action)
                {
                    case RelabelAction.LabelMap when rule.ReplacementIsGroupOne
                        && rule.Regex.TryMatchSimple(label.Name, out var group) is var simple and >= 0:
                        if (simple == 1)
                        {
                            var (offset, length) = group.GetOffsetAndLength(label.Name.Length);
                            lb.Set(length == label.Name.Length ? label.Name : label.Name.Substring(offset, length), label.Value);
                        }

                        break;
                    case RelabelAction.LabelMap:
                        if (rule.Regex.ReplaceAllIfMatch(label.Name, rule.Replacement) is { } newName)
                        {
                            lb.Set(newName, label.Value);
                        }

                        break;
                    case RelabelAction.LabelDrop:
                        if (rule.Regex.IsMatch(label.Name))
                        {
                            lb.Del(label.Name);
                        }

                        break;
                    default:
                        if (!rule.Regex.IsMatch(label.Name))
                        {
                            lb.Del(label.Name);
                        }

                        break;
                }
            }
        }
        finally
        {
            snapshot.Clear();
        }
    }

    /// <summary>
    /// The rule's source labels joined by its separator, as a span: a label's own string for one source, otherwise a
    /// thread-local buffer. Remembers which source strings the span is made of, so that a result equal to one of them
    /// can reuse it.
    /// </summary>
    private readonly ref struct SourceValue
    {
        private readonly string? _single;
        private readonly string[]? _parts;
        private readonly int _partCount;
        private readonly int _separatorLength;

        public SourceValue(Rule rule, LabelsBuilder lb)
        {
            var sources = rule.SourceLabels;
            if (sources.Length <= 1)
            {
                _single = sources.Length == 0 ? "" : lb.Get(sources[0]);
                Span = _single;
                return;
            }

            var parts = t_parts;
            if (parts is null || parts.Length < sources.Length)
            {
                parts = t_parts = new string[Math.Max(sources.Length, 8)];
            }

            var length = rule.Separator.Length * (sources.Length - 1);
            for (var i = 0; i < sources.Length; i++)
            {
                parts[i] = lb.Get(sources[i]);
                length += parts[i].Length;
            }

            var buffer = t_joined;
            if (buffer is null || buffer.Length < length)
            {
                buffer = t_joined = new char[Math.Max(length, 256)];
            }

            var written = 0;
            for (var i = 0; i < sources.Length; i++)
            {
                if (i > 0)
                {
                    rule.Separator.CopyTo(buffer.AsSpan(written));
                    written += rule.Separator.Length;
                }

                parts[i].CopyTo(buffer.AsSpan(written));
                written += parts[i].Length;
            }

            _parts = parts;
            _partCount = sources.Length;
            _separatorLength = rule.Separator.Length;
            Span = buffer.AsSpan(0, length);
        }

        public ReadOnlySpan<char> Span { get; }

        public string ToText() => _single ?? new string(Span);

        /// <summary>The text of <paramref name="range"/>: <paramref name="current"/> or a source string when equal.</summary>
        public string Text(Range range, string current)
        {
            var (offset, length) = range.GetOffsetAndLength(Span.Length);
            var text = Span.Slice(offset, length);
            if (text.SequenceEqual(current))
            {
                return current;
            }

            if (_single is not null)
            {
                return length == _single.Length ? _single : new string(text);
            }

            var start = 0;
            for (var i = 0; i < _partCount; i++)
            {
                if (start == offset && _parts![i].Length == length)
                {
                    return _parts[i];
                }

                start += _parts![i].Length + _separatorLength;
            }

            return new string(text);
        }
    }

    private sealed class Rule
    {
        public Rule(RelabelConfig cfg, GoRegex regex, bool legacyNames)
        {
            Action = cfg.Action;
            SourceLabels = [.. cfg.SourceLabels];
            Separator = cfg.Separator;
            Regex = regex;
            Modulus = cfg.Modulus;
            TargetLabel = cfg.TargetLabel;
            Replacement = cfg.Replacement;
            TargetHasDollar = TargetLabel.Contains('$', StringComparison.Ordinal);
            ReplacementHasDollar = Replacement.Contains('$', StringComparison.Ordinal);
            FastPathEligible = cfg.RegexIsDefault && !TargetHasDollar && !ReplacementHasDollar;
            LiteralTargetValid = LabelNames.IsValid(TargetLabel, legacyNames);
            ReplacementIsGroupOne = Replacement is "$1" or "${1}";
            if (Action == RelabelAction.HashMod && Modulus <= HashModTextLimit)
            {
                _hashModTexts = new string[Modulus];
                for (var i = 0; i < _hashModTexts.Length; i++)
                {
                    _hashModTexts[i] = i.ToString(CultureInfo.InvariantCulture);
                }
            }
        }

        private const ulong HashModTextLimit = 1024;

        private readonly string[]? _hashModTexts;

        public bool ReplacementIsGroupOne { get; }

        public string HashModText(ulong value) =>
            _hashModTexts is not null ? _hashModTexts[value] : value.ToString(CultureInfo.InvariantCulture);

        public RelabelAction Action { get; }

        public string[] SourceLabels { get; }

        public string Separator { get; }

        public GoRegex Regex { get; }

        public ulong Modulus { get; }

        public string TargetLabel { get; }

        public string Replacement { get; }

        public bool TargetHasDollar { get; }

        public bool ReplacementHasDollar { get; }

        public bool FastPathEligible { get; }

        public bool LiteralTargetValid { get; }
    }
}
