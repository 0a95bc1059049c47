namespace Quartermaster.Core.Relabeling;

/// <summary>
/// Go's compiled form of a regex (<c>regexp/syntax.Prog</c>) and its bounded backtracking matcher
/// (<c>regexp/backtrack.go</c>): a depth-first search of the instructions in priority order that never visits the same
/// (instruction, position) state twice. That rule is what decides Go's submatches when a repeated group can match
/// empty, so this matcher reports exactly Go's leftmost-first captures; Go's other matchers (one-pass, NFA) agree
/// with it by design. Positions are UTF-16 indices on code-point boundaries, which correspond one to one to Go's
/// UTF-8 byte offsets, so the visited states and the answers are the same.
/// </summary>
internal sealed partial class GoProgram
{
    private readonly List<Inst> _insts = [new Inst(Op.Fail, 0, 0, null)];

    private GoProgram(GoNode root, int groupCount)
    {
        CaptureSlots = groupCount * 2;
        var match = Add(new Inst(Op.Match, 0, 0, null));
        Start = Compile(root.Simplify(), match);
        Instructions = [.. _insts];
        Anchored = (StartCondition() & GoAssertion.BeginText) != 0;
    }

    private enum Op : byte
    {
        Fail,
        Alt,
        Rune,
        AnyChar,
        AnyCharNotNewLine,
        EmptyWidth,
        Capture,
        Nop,
        Match,
    }

    /// <summary>Capture slots (two per group, group 0 included).</summary>
    public int CaptureSlots { get; }

    private Inst[] Instructions { get; }

    private int Start { get; }

    /// <summary>Every match must begin at the start of the text (the program starts with <c>\A</c>).</summary>
    private bool Anchored { get; }

    /// <summary>Compiles the expression tree (as parsed, before Go's simplification) for <paramref name="groupCount"/> groups, group 0 included.</summary>
    public static GoProgram Create(GoNode root, int groupCount) => new(root, groupCount);

    private int Add(Inst inst)
    {
        _insts.Add(inst);
        return _insts.Count - 1;
    }

    // Compiles `node` so that it continues at `next`; returns its entry. Go's compiler gives the same graph (its
    // patch lists connect each fragment to what follows it); the priority of every Alt is Out before Arg.
    private int Compile(GoNode node, int next)
    {
        switch (node.Kind)
        {
            case GoNodeKind.Empty:
                return Add(new Inst(Op.Nop, next, 0, null));
            case GoNodeKind.Set:
                return Add(new Inst(Op.Rune, next, 0, node.Ranges));
            case GoNodeKind.AnyChar:
                return Add(new Inst(Op.AnyChar, next, 0, null));
            case GoNodeKind.AnyCharNotNewLine:
                return Add(new Inst(Op.AnyCharNotNewLine, next, 0, null));
            case GoNodeKind.Assert:
                return Add(new Inst(Op.EmptyWidth, next, (int)node.Assertion, null));
            case GoNodeKind.Capture:
            {
                var close = Add(new Inst(Op.Capture, next, (2 * node.Group) + 1, null));
                var body = Compile(node.Subs[0], close);
                return Add(new Inst(Op.Capture, body, 2 * node.Group, null));
            }

            case GoNodeKind.Concat:
            {
                var entry = next;
                for (var i = node.Subs.Length - 1; i >= 0; i--)
                {
                    entry = Compile(node.Subs[i], entry);
                }

                return entry;
            }

            case GoNodeKind.Alternate:
            {
                var entry = Compile(node.Subs[^1], next);
                for (var i = node.Subs.Length - 2; i >= 0; i--)
                {
                    var first = Compile(node.Subs[i], next);
                    entry = Add(new Inst(Op.Alt, first, entry, null));
                }

                return entry;
            }

            case GoNodeKind.Quest:
            {
                var body = Compile(node.Subs[0], next);
                return Split(body, next, node.Lazy);
            }

            case GoNodeKind.Plus:
                return Plus(node.Subs[0], next, node.Lazy);
            case GoNodeKind.Star:
            {
                // Go compiles x* as (x+)? when x can match empty, so that an empty x is preferred in priority order
                // as Go's loop does (golang.org/issue/46123), and otherwise as a loop that starts with the split.
                if (node.Subs[0].Nullable)
                {
                    var plus = Plus(node.Subs[0], next, node.Lazy);
                    return Split(plus, next, node.Lazy);
                }

                var split = Add(new Inst(Op.Alt, 0, 0, null));
                var body = Compile(node.Subs[0], split);
                _insts[split] = SplitInst(body, next, node.Lazy);
                return split;
            }

            default:
                throw new InvalidOperationException("unsimplified node " + node.Kind);
        }
    }

    private int Plus(GoNode sub, int next, bool lazy)
    {
        var split = Add(new Inst(Op.Alt, 0, 0, null));
        var body = Compile(sub, split);
        _insts[split] = SplitInst(body, next, lazy);
        return body;
    }

    private int Split(int body, int exit, bool lazy) => Add(SplitInst(body, exit, lazy));

    private static Inst SplitInst(int body, int exit, bool lazy) =>
        lazy ? new Inst(Op.Alt, exit, body, null) : new Inst(Op.Alt, body, exit, null);

    // Go Prog.StartCond: the assertions every match passes before its first instruction that consumes text.
    private GoAssertion StartCondition()
    {
        var flags = GoAssertion.None;
        var pc = Start;
        while (true)
        {
            var inst = _insts[pc];
            switch (inst.Op)
            {
                case Op.EmptyWidth:
                    flags |= (GoAssertion)inst.Arg;
                    break;
                case Op.Capture or Op.Nop:
                    break;
                default:
                    return flags;
            }

            pc = inst.Out;
        }
    }

    private readonly record struct Inst(Op Op, int Out, int Arg, int[]? Ranges);
}
