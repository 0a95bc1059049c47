namespace Quartermaster.Core.Relabeling;

/// <summary>
/// A parsed RE2 expression node, built by <see cref="GoRegexTranslator"/> alongside the .NET pattern, from which
/// <see cref="GoProgram"/> compiles Go's instruction program.
/// </summary>
internal sealed class GoNode
{
    private static readonly GoNode[] NoSubs = [];

    private GoNode(GoNodeKind kind, GoNode[] subs)
    {
        Kind = kind;
        Subs = subs;
    }

    public GoNodeKind Kind { get; }

    public GoNode[] Subs { get; }

    /// <summary>For <see cref="GoNodeKind.Set"/>: sorted inclusive ranges as <c>lo, hi</c> pairs.</summary>
    public int[] Ranges { get; private init; } = [];

    /// <summary>For <see cref="GoNodeKind.Repeat"/>: the bounds (<see cref="Max"/> -1 when unbounded).</summary>
    public int Min { get; private init; }

    public int Max { get; private init; }

    /// <summary>For the repetitions: prefers fewer iterations.</summary>
    public bool Lazy { get; private init; }

    /// <summary>For <see cref="GoNodeKind.Capture"/>: the group number.</summary>
    public int Group { get; private init; }

    /// <summary>For <see cref="GoNodeKind.Assert"/>: the condition.</summary>
    public GoAssertion Assertion { get; private init; }

    public static GoNode Empty { get; } = new(GoNodeKind.Empty, NoSubs);

    public static GoNode AnyChar { get; } = new(GoNodeKind.AnyChar, NoSubs);

    public static GoNode AnyCharNotNewLine { get; } = new(GoNodeKind.AnyCharNotNewLine, NoSubs);

    /// <summary>Whether Go's compiler treats the node as able to match empty (assertions count as empty).</summary>
    public bool Nullable => Kind switch
    {
        GoNodeKind.Set or GoNodeKind.AnyChar or GoNodeKind.AnyCharNotNewLine => false,
        GoNodeKind.Capture or GoNodeKind.Plus => Subs[0].Nullable,
        GoNodeKind.Concat => Array.TrueForAll(Subs, static s => s.Nullable),
        GoNodeKind.Alternate => Array.Exists(Subs, static s => s.Nullable),
        GoNodeKind.Repeat => Min == 0 || Subs[0].Nullable,
        _ => true,
    };

    public bool HasCapture => Kind == GoNodeKind.Capture || Array.Exists(Subs, static s => s.HasCapture);

    /// <summary>
    /// Whether the expression repeats (more than once) a sub-expression that can match empty: the case where Go's
    /// captures come from its machine's refusal to revisit a state, which .NET does not share (with a capture inside
    /// the loop, and even for the whole match: .NET reports <c>^(?:\pL(?:a?)+?)$</c> on <c>a</c> at (1, 1)).
    /// </summary>
    public bool HasNullableLoop =>
        (Kind is GoNodeKind.Star or GoNodeKind.Plus || (Kind == GoNodeKind.Repeat && (Max < 0 || Max >= 2)))
            && Subs[0].Nullable
        || Array.Exists(Subs, static s => s.HasNullableLoop);

    public static GoNode Set(CodePointSet set)
    {
        var ranges = new int[set.Ranges.Count * 2];
        for (var i = 0; i < set.Ranges.Count; i++)
        {
            (ranges[2 * i], ranges[(2 * i) + 1]) = set.Ranges[i];
        }

        return new GoNode(GoNodeKind.Set, NoSubs) { Ranges = ranges };
    }

    public static GoNode Rune(int rune) => new(GoNodeKind.Set, NoSubs) { Ranges = [rune, rune] };

    public static GoNode Assert(GoAssertion assertion) => new(GoNodeKind.Assert, NoSubs) { Assertion = assertion };

    public static GoNode Capture(int group, GoNode sub) => new(GoNodeKind.Capture, [sub]) { Group = group };

    public static GoNode Concat(IReadOnlyList<GoNode> subs) => subs.Count switch
    {
        0 => Empty,
        1 => subs[0],
        _ => new GoNode(GoNodeKind.Concat, [.. subs]),
    };

    /// <summary>Alternatives in priority order; as Go's parser, an alternation of empty strings only is the empty string.</summary>
    public static GoNode Alternate(IReadOnlyList<GoNode> subs)
    {
        if (subs.Count == 1)
        {
            return subs[0];
        }

        return subs.All(static s => s.Kind == GoNodeKind.Empty) ? Empty : new GoNode(GoNodeKind.Alternate, [.. subs]);
    }

    /// <summary>A repetition: <c>*</c>, <c>+</c>, <c>?</c> or counted (<paramref name="counted"/>).</summary>
    public static GoNode Repeat(GoNode sub, int min, int max, bool lazy, bool counted)
    {
        var kind = (min, max, counted) switch
        {
            (0, -1, false) => GoNodeKind.Star,
            (1, -1, false) => GoNodeKind.Plus,
            (0, 1, false) => GoNodeKind.Quest,
            _ => GoNodeKind.Repeat,
        };
        return new GoNode(kind, [sub]) { Min = min, Max = max, Lazy = lazy };
    }

    /// <summary>Go <c>Regexp.Simplify</c>: counted repetitions become copies, and idempotent repetitions collapse.</summary>
    public GoNode Simplify()
    {
        switch (Kind)
        {
            case GoNodeKind.Capture:
                return Capture(Group, Subs[0].Simplify());
            case GoNodeKind.Concat or GoNodeKind.Alternate:
                return new GoNode(Kind, Array.ConvertAll(Subs, static s => s.Simplify()));
            case GoNodeKind.Star or GoNodeKind.Plus or GoNodeKind.Quest:
                return Simplify1(Kind, Lazy, Subs[0].Simplify());
            case GoNodeKind.Repeat:
                return SimplifyRepeat();
            default:
                return this;
        }
    }

    private GoNode SimplifyRepeat()
    {
        if (Min == 0 && Max == 0)
        {
            return Empty;
        }

        var sub = Subs[0].Simplify();
        if (Max == -1)
        {
            if (Min == 0)
            {
                return Simplify1(GoNodeKind.Star, Lazy, sub);
            }

            if (Min == 1)
            {
                return Simplify1(GoNodeKind.Plus, Lazy, sub);
            }

            // x{4,} is xxxx+.
            var items = new List<GoNode>();
            for (var i = 0; i < Min - 1; i++)
            {
                items.Add(sub);
            }

            items.Add(Simplify1(GoNodeKind.Plus, Lazy, sub));
            return new GoNode(GoNodeKind.Concat, [.. items]);
        }

        if (Min == 1 && Max == 1)
        {
            return sub;
        }

        // x{2,5} is xx(x(x(x)?)?)?: n copies, then the optional ones nested.
        var prefix = new List<GoNode>();
        for (var i = 0; i < Min; i++)
        {
            prefix.Add(sub);
        }

        if (Max > Min)
        {
            var suffix = Simplify1(GoNodeKind.Quest, Lazy, sub);
            for (var i = Min + 1; i < Max; i++)
            {
                suffix = Simplify1(GoNodeKind.Quest, Lazy, new GoNode(GoNodeKind.Concat, [sub, suffix]));
            }

            prefix.Add(suffix);
        }

        return prefix.Count == 1 ? prefix[0] : new GoNode(GoNodeKind.Concat, [.. prefix]);
    }

    private static GoNode Simplify1(GoNodeKind kind, bool lazy, GoNode sub)
    {
        if (sub.Kind == GoNodeKind.Empty)
        {
            return sub;
        }

        if (sub.Kind == kind && sub.Lazy == lazy)
        {
            return sub;
        }

        var (min, max) = kind switch
        {
            GoNodeKind.Star => (0, -1),
            GoNodeKind.Plus => (1, -1),
            _ => (0, 1),
        };
        return new GoNode(kind, [sub]) { Min = min, Max = max, Lazy = lazy };
    }
}
