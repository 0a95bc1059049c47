namespace Quartermaster.Core.Relabeling;

internal sealed partial class GoProgram
{
    /// <summary>The largest visited set (instructions × (input length + 1) bits) the matcher builds.</summary>
    public const long MaxVisitedBits = 1L << 28;

    // Scratch buffers kept per thread up to these sizes (words of the visited set, backtracking jobs), so a match on a
    // label-sized input allocates nothing and a rare huge input does not pin its buffers.
    private const int PooledVisitedWords = 1 << 16;
    private const int PooledJobs = 1 << 16;

    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Whether <see cref="TryMatch"/> accepts an input of <paramref name="length"/> UTF-16 units.</summary>
    public bool CanMatch(int length) => (long)Instructions.Length * (length + 1) <= MaxVisitedBits;

    /// <summary>
    /// Go's leftmost-first search from <paramref name="start"/> (the text before it is context for assertions, as in
    /// Go's <c>doExecute</c> at a position): true with the capture positions in <paramref name="caps"/> (UTF-16
    /// indices, -1 for a group that did not participate; <see cref="CaptureSlots"/> entries), false if there is no match.
    /// Requires <see cref="CanMatch"/>.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> input, int start, Span<int> caps)
    {
        var scratch = t_scratch ??= new Scratch();
        var insts = Instructions;
        var width = input.Length + 1;
        var words = (int)(((long)insts.Length * width + 63) / 64);
        var visited = words <= scratch.Visited.Length ? scratch.Visited : new ulong[words];
        if (visited.Length <= PooledVisitedWords && visited.Length > scratch.Visited.Length)
        {
            scratch.Visited = visited;
        }

        Array.Clear(visited, 0, words);
        if (scratch.Cap.Length < CaptureSlots)
        {
            scratch.Cap = new int[CaptureSlots];
        }

        var cap = scratch.Cap.AsSpan(0, CaptureSlots);
        cap.Fill(-1);
        var search = new Search(insts, input, visited, width, scratch);
        for (var pos = start; pos <= input.Length; pos += StepWidth(input, pos))
        {
            if (cap.Length > 0)
            {
                cap[0] = pos;
            }

            if (search.Run(Start, pos, cap))
            {
                cap.CopyTo(caps);
                return true;
            }

            if (Anchored || pos == input.Length)
            {
                break;
            }
        }

        return false;
    }

    private static int StepWidth(ReadOnlySpan<char> input, int pos) =>
        pos + 1 < input.Length && char.IsHighSurrogate(input[pos]) && char.IsLowSurrogate(input[pos + 1]) ? 2 : 1;

    // The code point at pos and its width; -1 and 0 at the end. A lone surrogate reads as U+FFFD, as invalid UTF-8 does in Go.
    private static int RuneAt(ReadOnlySpan<char> input, int pos, out int width)
    {
        if (pos >= input.Length)
        {
            width = 0;
            return -1;
        }

        var c = input[pos];
        if (!char.IsSurrogate(c))
        {
            width = 1;
            return c;
        }

        if (char.IsHighSurrogate(c) && pos + 1 < input.Length && char.IsLowSurrogate(input[pos + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, input[pos + 1]);
        }

        width = 1;
        return 0xFFFD;
    }

    private static int RuneBefore(ReadOnlySpan<char> input, int pos)
    {
        if (pos <= 0)
        {
            return -1;
        }

        var c = input[pos - 1];
        if (!char.IsSurrogate(c))
        {
            return c;
        }

        return char.IsLowSurrogate(c) && pos >= 2 && char.IsHighSurrogate(input[pos - 2])
            ? char.ConvertToUtf32(input[pos - 2], c)
            : 0xFFFD;
    }

    private static bool IsWordChar(int r) => r is (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '_';

    // Go EmptyOpContext.
    private static GoAssertion Context(ReadOnlySpan<char> input, int pos)
    {
        var r1 = RuneBefore(input, pos);
        var r2 = RuneAt(input, pos, out _);
        var op = GoAssertion.NoWordBoundary;
        var boundary = 0;
        if (IsWordChar(r1))
        {
            boundary = 1;
        }
        else if (r1 == '\n')
        {
            op |= GoAssertion.BeginLine;
        }
        else if (r1 < 0)
        {
            op |= GoAssertion.BeginText | GoAssertion.BeginLine;
        }

        if (IsWordChar(r2))
        {
            boundary ^= 1;
        }
        else if (r2 == '\n')
        {
            op |= GoAssertion.EndLine;
        }
        else if (r2 < 0)
        {
            op |= GoAssertion.EndText | GoAssertion.EndLine;
        }

        if (boundary != 0)
        {
            op ^= GoAssertion.WordBoundary | GoAssertion.NoWordBoundary;
        }

        return op;
    }

    private static bool InRanges(int[] ranges, int r)
    {
        if (ranges.Length <= 8)
        {
            for (var i = 0; i < ranges.Length; i += 2)
            {
                if (r < ranges[i])
                {
                    return false;
                }

                if (r <= ranges[i + 1])
                {
                    return true;
                }
            }

            return false;
        }

        var lo = 0;
        var hi = (ranges.Length / 2) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (r < ranges[2 * mid])
            {
                hi = mid - 1;
            }
            else if (r > ranges[(2 * mid) + 1])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct Job(int Pc, int Pos, bool Arg);

    private sealed class Scratch
    {
        public ulong[] Visited { get; set; } = new ulong[64];

        public Job[] Jobs { get; set; } = new Job[64];

        public int[] Cap { get; set; } = new int[16];
    }

    private ref struct Search
    {
        private readonly Inst[] _insts;
        private readonly ReadOnlySpan<char> _input;
        private readonly ulong[] _visited;
        private readonly int _width;
        private readonly Scratch _scratch;
        private Job[] _jobs;
        private int _count;

        public Search(Inst[] insts, ReadOnlySpan<char> input, ulong[] visited, int width, Scratch scratch)
        {
            _insts = insts;
            _input = input;
            _visited = visited;
            _width = width;
            _scratch = scratch;
            _jobs = scratch.Jobs;
        }

        // Go tryBacktrack (leftmost-first, so the first Match reached wins).
        public bool Run(int startPc, int startPos, Span<int> cap)
        {
            _count = 0;
            Push(startPc, startPos, arg: false);
            while (_count > 0)
            {
                var job = _jobs[--_count];
                var pc = job.Pc;
                var pos = job.Pos;
                var arg = job.Arg;
                var check = false;
                while (true)
                {
                    if (check && !ShouldVisit(pc, pos))
                    {
                        break;
                    }

                    check = true;
                    var inst = _insts[pc];
                    switch (inst.Op)
                    {
                        case Op.Alt:
                            if (arg)
                            {
                                arg = false;
                                pc = inst.Arg;
                            }
                            else
                            {
                                Push(pc, pos, arg: true);
                                pc = inst.Out;
                            }

                            continue;
                        case Op.Rune:
                        {
                            var r = RuneAt(_input, pos, out var w);
                            if (w == 0 || !InRanges(inst.Ranges!, r))
                            {
                                break;
                            }

                            pos += w;
                            pc = inst.Out;
                            continue;
                        }

                        case Op.AnyChar or Op.AnyCharNotNewLine:
                        {
                            var r = RuneAt(_input, pos, out var w);
                            if (w == 0 || (inst.Op == Op.AnyCharNotNewLine && r == '\n'))
                            {
                                break;
                            }

                            pos += w;
                            pc = inst.Out;
                            continue;
                        }

                        case Op.Capture:
                            if (arg)
                            {
                                cap[inst.Arg] = pos;
                                break;
                            }

                            if (inst.Arg < cap.Length)
                            {
                                Push(pc, cap[inst.Arg], arg: true);
                                cap[inst.Arg] = pos;
                            }

                            pc = inst.Out;
                            continue;
                        case Op.EmptyWidth:
                        {
                            var need = (GoAssertion)inst.Arg;
                            if ((Context(_input, pos) & need) != need)
                            {
                                break;
                            }

                            pc = inst.Out;
                            continue;
                        }

                        case Op.Nop:
                            pc = inst.Out;
                            continue;
                        case Op.Match:
                            if (cap.Length > 1)
                            {
                                cap[1] = pos;
                            }

                            KeepJobs();
                            return true;
                        default:
                            break;
                    }

                    break;
                }
            }

            KeepJobs();
            return false;
        }

        private readonly void KeepJobs()
        {
            if (_jobs.Length <= PooledJobs)
            {
                _scratch.Jobs = _jobs;
            }
        }

        private bool ShouldVisit(int pc, int pos)
        {
            var n = ((long)pc * _width) + pos;
            var word = (int)(n >> 6);
            var bit = 1UL << (int)(n & 63);
            if ((_visited[word] & bit) != 0)
            {
                return false;
            }

            _visited[word] |= bit;
            return true;
        }

        private void Push(int pc, int pos, bool arg)
        {
            if (_insts[pc].Op == Op.Fail || (!arg && !ShouldVisit(pc, pos)))
            {
                return;
            }

            if (_count == _jobs.Length)
            {
                Array.Resize(ref _jobs, _jobs.Length * 2);
            }

            _jobs[_count++] = new Job(pc, pos, arg);
        }
    }
}
