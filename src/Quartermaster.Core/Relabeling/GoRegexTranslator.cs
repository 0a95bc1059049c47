using System.Globalization;
using System.Text;

namespace Quartermaster.Core.Relabeling;

/// <summary>
/// Parses a Go RE2 expression with Go's rules and error messages and emits an equivalent .NET pattern
/// (spec prometheus.md §1.6). The emitted pattern uses no .NET options and no named groups: flags are applied
/// during translation, every capture group becomes an unnamed group so .NET numbers them left to right as Go
/// does, and classes are expanded to code-point ranges so that <c>\d \w \s</c>, POSIX classes, case folding and
/// supplementary characters behave as in Go.
/// </summary>
internal sealed class GoRegexTranslator
{
    private const string MissingParen = "missing closing )";
    private const string UnexpectedParen = "unexpected )";
    private const string MissingBracket = "missing closing ]";
    private const string InvalidCharRange = "invalid character class range";
    private const string InvalidEscape = "invalid escape sequence";
    private const string InvalidNamedCapture = "invalid named capture";
    private const string InvalidPerlOp = "invalid or unsupported Perl syntax";
    private const string InvalidRepeatOp = "invalid nested repetition operator";
    private const string InvalidRepeatSize = "invalid repeat count";
    private const string MissingRepeatArgument = "missing argument to repetition operator";
    private const string TrailingBackslash = "trailing backslash at end of expression";
    private const string NestingDepth = "expression nests too deeply";
    private const int MaxRepeat = 1000;
    private const int MaxDepth = 1000;

    private const string WordClass = "[0-9A-Za-z_]";
    private const string NotWordClass = "[^0-9A-Za-z_]";

    private static readonly CodePointSet Digits = CodePointSet.Of(('0', '9'));
    private static readonly CodePointSet Spaces = CodePointSet.Of(('\t', '\n'), ('\f', '\r'), (' ', ' '));
    private static readonly CodePointSet Word = CodePointSet.Of(('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z'));

    private static readonly Dictionary<string, CodePointSet> Posix = new(StringComparer.Ordinal)
    {
        ["alnum"] = CodePointSet.Of(('0', '9'), ('A', 'Z'), ('a', 'z')),
        ["alpha"] = CodePointSet.Of(('A', 'Z'), ('a', 'z')),
        ["ascii"] = CodePointSet.Of((0, 0x7F)),
        ["blank"] = CodePointSet.Of(('\t', '\t'), (' ', ' ')),
        ["cntrl"] = CodePointSet.Of((0, 0x1F), (0x7F, 0x7F)),
        ["digit"] = CodePointSet.Of(('0', '9')),
        ["graph"] = CodePointSet.Of(('!', '~')),
        ["lower"] = CodePointSet.Of(('a', 'z')),
        ["print"] = CodePointSet.Of((' ', '~')),
        ["punct"] = CodePointSet.Of(('!', '/'), (':', '@'), ('[', '`'), ('{', '~')),
        ["space"] = CodePointSet.Of(('\t', '\r'), (' ', ' ')),
        ["upper"] = CodePointSet.Of(('A', 'Z')),
        ["word"] = CodePointSet.Of(('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')),
        ["xdigit"] = CodePointSet.Of(('0', '9'), ('A', 'F'), ('a', 'f')),
    };

    private readonly string _src;
    private readonly bool _codeUnitLoops;
    private readonly List<string> _groupNames = [""];
    private int _pos;
    private bool _needsBacktracking;
    private int _loopGuards;
    private bool _codeUnitLoopsUnsafe;

    private GoRegexTranslator(string source, bool codeUnitLoops)
    {
        _src = source;
        _codeUnitLoops = codeUnitLoops;
    }

    [Flags]
    private enum GoFlags
    {
        None = 0,
        FoldCase = 1,
        MultiLine = 2,
        DotNewLine = 4,
        NonGreedy = 8,
    }

    /// <summary>Translates a complete Go expression (callers add Prometheus' <c>^(?s:…)$</c> wrapper themselves).</summary>
    public static GoRegexTranslation Translate(string goPattern) => Translate(goPattern, codeUnitLoops: true);

    /// <summary>Translates; <paramref name="codeUnitLoops"/> false disables the <c>.*</c> fast form (for tests).</summary>
    internal static GoRegexTranslation Translate(string goPattern, bool codeUnitLoops)
    {
        var translator = new GoRegexTranslator(goPattern, codeUnitLoops);
        var flags = GoFlags.None;
        var piece = translator.ParseAlternation(ref flags, 0, topLevel: true);
        if (translator._codeUnitLoopsUnsafe)
        {
            translator = new GoRegexTranslator(goPattern, codeUnitLoops: false);
            flags = GoFlags.None;
            piece = translator.ParseAlternation(ref flags, 0, topLevel: true);
        }

        var groupNames = translator._groupNames.ToArray();
        var program = piece.Node.HasNullableLoop ? GoProgram.Create(piece.Node, groupNames.Length) : null;
        return new GoRegexTranslation(piece.Text, groupNames, translator._needsBacktracking) { Program = program, Root = piece.Node };
    }

    private static GoRegexException Error(string code, string expression) => GoRegexException.Create(code, expression);

    private Piece ParseAlternation(ref GoFlags flags, int depth, bool topLevel)
    {
        if (depth > MaxDepth)
        {
            throw Error(NestingDepth, _src);
        }

        var alternatives = new List<string>();
        var nodes = new List<GoNode>();
        var product = 0L;
        var hasLoop = false;
        var nonEmpty = true;
        var hasCapture = false;
        while (true)
        {
            var concat = ParseConcat(ref flags, depth);
            alternatives.Add(concat.Text);
            nodes.Add(concat.Node);
            product = Math.Max(product, concat.RepeatProduct);
            hasLoop |= concat.HasCodeUnitLoop;
            nonEmpty &= concat.NonEmpty;
            hasCapture |= concat.HasCapture;
            if (_pos >= _src.Length)
            {
                if (!topLevel)
                {
                    throw Error(MissingParen, _src);
                }

                break;
            }

            if (_src[_pos] == '|')
            {
                _pos++;
                continue;
            }

            // ')'
            if (topLevel)
            {
                throw Error(UnexpectedParen, _src);
            }

            break;
        }

        var text = alternatives.Count == 1 ? alternatives[0] : JoinAlternatives(alternatives, 0);
        return new Piece(text, Atomic: false, Quantified: false, product)
        {
            HasCodeUnitLoop = hasLoop, NonEmpty = nonEmpty, HasCapture = hasCapture, Node = GoNode.Alternate(nodes),
        };
    }

    // An empty branch is written as an optional group: `A||B` becomes `A|(?:B)??` and `A|` becomes `(?:A)?`, which
    // match the same strings with the same leftmost-first preference. .NET mis-reduces a literal empty branch next to
    // a loop: `(?:-+|){2}:` fails on ":" on both engines, while Go (and `(?:(?:-+)?){2}:`) match it.
    private static string JoinAlternatives(List<string> alternatives, int start)
    {
        var empty = alternatives.FindIndex(start, static a => a.Length == 0);
        if (empty < 0)
        {
            return string.Join('|', alternatives.Skip(start));
        }

        var hasRest = empty + 1 < alternatives.Count;
        var rest = hasRest ? "(?:" + JoinAlternatives(alternatives, empty + 1) + ")??" : "";
        if (empty == start)
        {
            return rest;
        }

        var before = string.Join('|', alternatives.Skip(start).Take(empty - start));
        return hasRest ? before + "|" + rest : "(?:" + before + ")?";
    }

    private Piece ParseConcat(ref GoFlags flags, int depth)
    {
        var items = new List<Piece>();
        var lastRepeatStart = -1;
        while (_pos < _src.Length)
        {
            var c = _src[_pos];
            if (c is '|' or ')')
            {
                break;
            }

            var tokenStart = _pos;
            var repeatStart = -1;
            switch (c)
            {
                case '(':
                    ParseGroup(ref flags, depth, items);
                    break;
                case '^':
                    _pos++;
                    items.Add(Token((flags & GoFlags.MultiLine) != 0 ? "(?m:^)" : "\\A", atomic: false,
                        GoNode.Assert((flags & GoFlags.MultiLine) != 0 ? GoAssertion.BeginLine : GoAssertion.BeginText)));
                    break;
                case '$':
                    _pos++;
                    items.Add(Token((flags & GoFlags.MultiLine) != 0 ? "(?m:$)" : "\\z", atomic: false,
                        GoNode.Assert((flags & GoFlags.MultiLine) != 0 ? GoAssertion.EndLine : GoAssertion.EndText)));
                    break;
                case '.':
                    _pos++;
                    items.Add((flags & GoFlags.DotNewLine) != 0
                        ? new Piece("(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\uD800-\\uDFFF])", Atomic: true, Quantified: false, 0,
                            CodeUnitLoopForm: "[\\s\\S]") { ConsumesOneCodePoint = true, Node = GoNode.AnyChar }
                        : new Piece("(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\n\\uD800-\\uDFFF])", Atomic: true, Quantified: false, 0,
                            CodeUnitLoopForm: "[^\\n]") { ConsumesOneCodePoint = true, Node = GoNode.AnyCharNotNewLine });
                    break;
                case '[':
                    items.Add(ClassPiece(ParseClass(flags)));
                    break;
                case '*' or '+' or '?':
                {
                    _pos++;
                    var (min, max) = c switch { '*' => (0, -1), '+' => (1, -1), _ => (0, 1) };
                    ApplyRepeat(items, flags, min, max, isCounted: false, tokenStart, lastRepeatStart);
                    repeatStart = tokenStart;
                    break;
                }

                case '{':
                    if (TryParseRepeat(out var rmin, out var rmax))
                    {
                        if (rmin < 0 || rmin > MaxRepeat || rmax > MaxRepeat || (rmax >= 0 && rmin > rmax))
                        {
                            throw Error(InvalidRepeatSize, _src[tokenStart.._pos]);
                        }

                        ApplyRepeat(items, flags, rmin, rmax, isCounted: true, tokenStart, lastRepeatStart);
                        repeatStart = tokenStart;
                    }
                    else
                    {
                        _pos++;
                        items.Add(Literal('{', flags));
                    }

                    break;
                case '\\':
                    ParseBackslash(flags, items);
                    break;
                default:
                {
                    var rune = NextRune();
                    items.Add(Literal(rune, flags));
                    break;
                }
            }

            lastRepeatStart = repeatStart;
        }

        var sb = new StringBuilder();
        var product = 0L;
        var hasLoop = false;
        var loopMayHaveEnded = false;
        foreach (var item in items)
        {
            sb.Append(item.Text);
            product = Math.Max(product, item.RepeatProduct);
            if (item.HasCodeUnitLoop)
            {
                // Two code-unit loops with nothing guaranteed to consume a code point between them could split a
                // surrogate pair between them.
                _codeUnitLoopsUnsafe |= loopMayHaveEnded;
                loopMayHaveEnded = true;
                hasLoop = true;
            }
            else if (item.ConsumesOneCodePoint)
            {
                loopMayHaveEnded = false;
            }
        }

        return new Piece(sb.ToString(), Atomic: items.Count == 1 && items[0].Atomic, Quantified: false, product)
        {
            HasCodeUnitLoop = hasLoop,
            NonEmpty = items.Any(i => i.NonEmpty),
            HasCapture = items.Any(i => i.HasCapture),
            Node = GoNode.Concat(items.ConvertAll(static i => i.Node)),
        };
    }

    private void ParseGroup(ref GoFlags flags, int depth, List<Piece> items)
    {
        var start = _pos;
        if (_pos + 1 < _src.Length && _src[_pos + 1] == '?')
        {
            var rest = _src.AsSpan(_pos);
            if ((rest.Length > 4 && rest[2] == 'P' && rest[3] == '<') || (rest.Length > 3 && rest[2] == '<'))
            {
                var begin = rest[2] == 'P' ? 4 : 3;
                var end = rest.IndexOf('>');
                if (end < 0)
                {
                    throw Error(InvalidNamedCapture, rest.ToString());
                }

                var name = rest[begin..end].ToString();
                if (!IsValidCaptureName(name))
                {
                    throw Error(InvalidNamedCapture, rest[..(end + 1)].ToString());
                }

                _pos += end + 1;
                items.Add(Capture(name, flags, depth));
                return;
            }

            // Flags, possibly opening a non-capturing group.
            _pos += 2;
            var newFlags = flags;
            var negated = false;
            var sawFlag = false;
            while (_pos < _src.Length)
            {
                var c = NextRune();
                switch (c)
                {
                    case 'i':
                        newFlags = negated ? newFlags & ~GoFlags.FoldCase : newFlags | GoFlags.FoldCase;
                        sawFlag = true;
                        continue;
                    case 'm':
                        newFlags = negated ? newFlags & ~GoFlags.MultiLine : newFlags | GoFlags.MultiLine;
                        sawFlag = true;
                        continue;
                    case 's':
                        newFlags = negated ? newFlags & ~GoFlags.DotNewLine : newFlags | GoFlags.DotNewLine;
                        sawFlag = true;
                        continue;
                    case 'U':
                        newFlags = negated ? newFlags & ~GoFlags.NonGreedy : newFlags | GoFlags.NonGreedy;
                        sawFlag = true;
                        continue;
                    case '-' when !negated:
                        negated = true;
                        sawFlag = false;
                        continue;
                    case ':' or ')' when !negated || sawFlag:
                        if (c == ')')
                        {
                            flags = newFlags;
                            return;
                        }

                        var inner = ParseAlternation(ref newFlags, depth + 1, topLevel: false);
                        _pos++;
                        items.Add(new Piece("(?:" + inner.Text + ")", Atomic: true, Quantified: false, inner.RepeatProduct)
                        {
                            HasCodeUnitLoop = inner.HasCodeUnitLoop, NonEmpty = inner.NonEmpty, HasCapture = inner.HasCapture,
                            Node = inner.Node,
                        });
                        return;
                    default:
                        break;
                }

                break;
            }

            throw Error(InvalidPerlOp, _src[start.._pos]);
        }

        _pos++;
        items.Add(Capture(null, flags, depth));
    }

    private Piece Capture(string? name, GoFlags flags, int depth)
    {
        _groupNames.Add(name ?? "");
        var group = _groupNames.Count - 1;
        var inner = ParseAlternation(ref flags, depth + 1, topLevel: false);
        _pos++;
        return new Piece("(" + inner.Text + ")", Atomic: true, Quantified: false, inner.RepeatProduct)
        {
            HasCodeUnitLoop = inner.HasCodeUnitLoop, NonEmpty = inner.NonEmpty, HasCapture = true,
            Node = GoNode.Capture(group, inner.Node),
        };
    }

    private static bool IsValidCaptureName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c != '_' && !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private void ApplyRepeat(List<Piece> items, GoFlags flags, int min, int max, bool isCounted, int tokenStart, int lastRepeatStart)
    {
        var lazy = false;
        if (_pos < _src.Length && _src[_pos] == '?')
        {
            lazy = true;
            _pos++;
        }

        if (lastRepeatStart >= 0)
        {
            throw Error(InvalidRepeatOp, _src[lastRepeatStart.._pos]);
        }

        if (items.Count == 0)
        {
            throw Error(MissingRepeatArgument, _src[tokenStart.._pos]);
        }

        var sub = items[^1];
        var product = sub.RepeatProduct;
        if (isCounted)
        {
            var m = max == 0 ? 0 : max < 0 ? min : max;
            product = m == 0 ? 0 : m * Math.Max(1, sub.RepeatProduct);
            if ((min >= 2 || max >= 2) && product > MaxRepeat)
            {
                throw Error(InvalidRepeatSize, _src[tokenStart.._pos]);
            }
        }

        if ((flags & GoFlags.NonGreedy) != 0)
        {
            lazy = !lazy;
        }

        var quantifier = (min, max) switch
        {
            (0, -1) when !isCounted => "*",
            (1, -1) when !isCounted => "+",
            (0, 1) when !isCounted => "?",
            (_, -1) => "{" + min.ToString(CultureInfo.InvariantCulture) + ",}",
            _ when min == max => "{" + min.ToString(CultureInfo.InvariantCulture) + "}",
            _ => "{" + min.ToString(CultureInfo.InvariantCulture) + "," + max.ToString(CultureInfo.InvariantCulture) + "}",
        };
        // A `.*` or `.+` loop may run over UTF-16 units: no emitted atom matches a lone low surrogate, so on valid
        // text such a loop can only stop at a code-point boundary and matches exactly what Go's loop matches. The
        // simple class is much faster on the NonBacktracking engine than the surrogate-pair alternation.
        // A repeated piece that holds a code-unit loop repeats the loop back to back.
        _codeUnitLoopsUnsafe |= sub.HasCodeUnitLoop;
        var useLoopForm = _codeUnitLoops && sub.CodeUnitLoopForm is not null && !isCounted && max < 0;
        var operand = useLoopForm
            ? sub.CodeUnitLoopForm
            : sub.Atomic && !sub.Quantified ? sub.Text : "(?:" + sub.Text + ")";
        var text = operand + quantifier + (lazy ? "?" : "");
        if (!sub.NonEmpty && sub.HasCapture && !isCounted && max < 0 && !useLoopForm)
        {
            text = GoLoop(operand!, star: min == 0, lazy);
        }

        items[^1] = new Piece(text, Atomic: true, Quantified: true, product)
        {
            HasCodeUnitLoop = useLoopForm,
            NonEmpty = min >= 1 && sub.NonEmpty,
            HasCapture = sub.HasCapture,
            Node = GoNode.Repeat(sub.Node, min, max, lazy, isCounted),
        };
    }

    /// <summary>
    /// <c>x+</c> / <c>x*</c> where <c>x</c> can match empty and holds a capture, with the captures Go reports. Go runs
    /// such a loop as <c>x+</c> (and <c>x*</c> as <c>(x+)?</c>) on a machine that never revisits an instruction at
    /// the same position: an iteration after the first that matches empty is abandoned (its captures are not kept),
    /// and after an empty first iteration no other iteration starts. .NET keeps one empty iteration, so each
    /// iteration records the rest of the input in a lookahead and compares it afterwards: the first iteration marks
    /// itself done (and, when empty, marks the loop finished); later ones must have consumed something. <c>x</c> is
    /// written once, so Go's group numbers are unchanged; the helper groups are named, so .NET numbers them after
    /// Go's, and they are cleared when the loop is entered again. This needs the backtracking engine.
    /// </summary>
    private string GoLoop(string operand, bool star, bool lazy)
    {
        _needsBacktracking = true;
        var id = (_loopGuards++).ToString(CultureInfo.InvariantCulture);
        var (rest, first, empty) = ("qmr" + id, "qmf" + id, "qme" + id);
        var q = lazy ? "?" : "";
        var reset = $"(?({first})(?<-{first}>))(?({empty})(?<-{empty}>))";
        var iteration = $"(?({empty})(?!))(?=(?<{rest}>[\\s\\S]*)){operand}"
            + $"(?({first})(?!\\k<{rest}>\\z)|(?<{first}>)(?:(?!\\k<{rest}>\\z)|(?=\\k<{rest}>\\z)(?<{empty}>)))";
        var plus = $"(?:{reset}(?:{iteration})+{q})";
        return star ? $"(?:{plus})?{q}" : plus;
    }

    // Go parseRepeat: {n}, {n,}, {n,m}; anything else makes '{' a literal.
    private bool TryParseRepeat(out int min, out int max)
    {
        min = max = -1;
        var p = _pos + 1;
        if (!TryParseInt(ref p, out min))
        {
            return false;
        }

        if (p >= _src.Length)
        {
            return false;
        }

        if (_src[p] == ',')
        {
            p++;
            if (p >= _src.Length)
            {
                return false;
            }

            if (_src[p] == '}')
            {
                max = -1;
            }
            else if (!TryParseInt(ref p, out max))
            {
                return false;
            }
        }
        else
        {
            max = min;
        }

        if (p >= _src.Length || _src[p] != '}')
        {
            return false;
        }

        _pos = p + 1;
        return true;
    }

    private bool TryParseInt(ref int p, out int value)
    {
        value = -1;
        var start = p;
        while (p < _src.Length && char.IsAsciiDigit(_src[p]))
        {
            p++;
        }

        if (p == start)
        {
            return false;
        }

        // Go disallows leading zeros; numbers that are too big parse as -1 (an invalid count).
        if (p - start >= 2 && _src[start] == '0')
        {
            return false;
        }

        if (p - start > 8)
        {
            value = -2;
            return true;
        }

        value = int.Parse(_src.AsSpan(start, p - start), NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    private void ParseBackslash(GoFlags flags, List<Piece> items)
    {
        if (_pos + 1 >= _src.Length)
        {
            throw Error(TrailingBackslash, "");
        }

        var c = _src[_pos + 1];
        switch (c)
        {
            case 'A':
                _pos += 2;
                items.Add(Token("\\A", atomic: false, GoNode.Assert(GoAssertion.BeginText)));
                return;
            case 'z':
                _pos += 2;
                items.Add(Token("\\z", atomic: false, GoNode.Assert(GoAssertion.EndText)));
                return;
            case 'b':
                _pos += 2;
                _needsBacktracking = true;
                items.Add(Token($"(?:(?<={WordClass})(?!{WordClass})|(?<!{WordClass})(?={WordClass}))", atomic: true,
                    GoNode.Assert(GoAssertion.WordBoundary)));
                return;
            case 'B':
                _pos += 2;
                _needsBacktracking = true;
                items.Add(Token($"(?:(?<={WordClass})(?={WordClass})|(?<!{WordClass})(?!{WordClass}))", atomic: true,
                    GoNode.Assert(GoAssertion.NoWordBoundary)));
                return;
            case 'Q':
            {
                _pos += 2;
                var end = _src.IndexOf("\\E", _pos, StringComparison.Ordinal);
                var literal = end < 0 ? _src[_pos..] : _src[_pos..end];
                _pos = end < 0 ? _src.Length : end + 2;
                for (var i = 0; i < literal.Length; i += char.IsSurrogatePair(literal, i) ? 2 : 1)
                {
                    items.Add(Literal(char.ConvertToUtf32(literal, i), flags));
                }

                return;
            }

            case 'p' or 'P':
            {
                var set = new CodePointSet();
                ParseUnicodeClass(flags, set);
                items.Add(ClassPiece(set));
                return;
            }

            case 'd' or 'D' or 's' or 'S' or 'w' or 'W':
            {
                var set = new CodePointSet();
                ParsePerlClass(flags, set);
                items.Add(ClassPiece(set));
                return;
            }

            default:
                items.Add(Literal(ParseEscape(), flags));
                return;
        }
    }

    // Go parseEscape: escapes valid both inside and outside classes.
    private int ParseEscape()
    {
        var start = _pos;
        _pos++;
        if (_pos >= _src.Length)
        {
            throw Error(TrailingBackslash, "");
        }

        var c = NextRune();
        switch (c)
        {
            case >= '1' and <= '7' when _pos >= _src.Length || _src[_pos] is < '0' or > '7':
                break;
            case >= '0' and <= '7':
            {
                var r = c - '0';
                for (var i = 1; i < 3 && _pos < _src.Length && _src[_pos] is >= '0' and <= '7'; i++)
                {
                    r = (r * 8) + (_src[_pos++] - '0');
                }

                return r;
            }

            case 'x':
                if (_pos >= _src.Length)
                {
                    break;
                }

                if (_src[_pos] == '{')
                {
                    _pos++;
                    var r = 0;
                    var digits = 0;
                    while (true)
                    {
                        if (_pos >= _src.Length)
                        {
                            goto invalid;
                        }

                        var h = _src[_pos++];
                        if (h == '}')
                        {
                            break;
                        }

                        var v = HexValue(h);
                        if (v < 0)
                        {
                            goto invalid;
                        }

                        r = (r * 16) + v;
                        if (r > CodePointSet.MaxRune)
                        {
                            goto invalid;
                        }

                        digits++;
                    }

                    if (digits == 0)
                    {
                        break;
                    }

                    return r;
                }

                {
                    var x = HexValue(_src[_pos++]);
                    if (_pos >= _src.Length)
                    {
                        break;
                    }

                    var y = HexValue(_src[_pos++]);
                    if (x < 0 || y < 0)
                    {
                        break;
                    }

                    return (x * 16) + y;
                }

            case 'a':
                return 7;
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return '\v';
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit((char)c))
                {
                    return c;
                }

                break;
        }

    invalid:
        throw Error(InvalidEscape, _src[start..Math.Min(_pos, _src.Length)]);
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private void ParsePerlClass(GoFlags flags, CodePointSet into)
    {
        var c = _src[_pos + 1];
        _pos += 2;
        var set = char.ToLowerInvariant(c) switch
        {
            'd' => Digits,
            's' => Spaces,
            _ => Word,
        };
        AddGroup(into, set, negate: char.IsUpper(c), flags);
    }

    private void ParseUnicodeClass(GoFlags flags, CodePointSet into)
    {
        var start = _pos;
        var negate = _src[_pos + 1] == 'P';
        _pos += 2;
        if (_pos >= _src.Length)
        {
            throw Error(InvalidCharRange, _src[start..]);
        }

        string name;
        if (_src[_pos] == '{')
        {
            var end = _src.IndexOf('}', _pos);
            if (end < 0)
            {
                throw Error(InvalidCharRange, _src[start..]);
            }

            name = _src[(_pos + 1)..end];
            _pos = end + 1;
        }
        else
        {
            var rune = NextRune();
            name = char.ConvertFromUtf32(rune);
        }

        if (name.StartsWith('^'))
        {
            negate = !negate;
            name = name[1..];
        }

        var set = GoUnicodeTables.Lookup(name, out var complement);
        if (set is null)
        {
            throw Error(InvalidCharRange, _src[start.._pos]);
        }

        if (complement)
        {
            negate = !negate;
        }

        AddGroup(into, set, negate, flags);
    }

    private static void AddGroup(CodePointSet into, CodePointSet group, bool negate, GoFlags flags)
    {
        if ((flags & GoFlags.FoldCase) != 0)
        {
            var folded = new CodePointSet();
            folded.AddFolded(group);
            group = folded;
        }

        into.Add(negate ? group.Negate() : group);
    }

    private CodePointSet ParseClass(GoFlags flags)
    {
        var start = _pos;
        _pos++;
        var set = new CodePointSet();
        var negate = false;
        if (_pos < _src.Length && _src[_pos] == '^')
        {
            negate = true;
            _pos++;
        }

        var first = true;
        while (_pos >= _src.Length || _src[_pos] != ']' || first)
        {
            if (_pos >= _src.Length)
            {
                throw Error(MissingBracket, _src[start..]);
            }

            first = false;
            var rest = _src.AsSpan(_pos);
            if (rest.Length > 2 && rest[0] == '[' && rest[1] == ':')
            {
                var close = rest[2..].IndexOf(":]");
                if (close >= 0)
                {
                    var full = rest[..(close + 4)].ToString();
                    var name = full[2..^2];
                    var posixNegate = name.StartsWith('^');
                    if (posixNegate)
                    {
                        name = name[1..];
                    }

                    if (!Posix.TryGetValue(name, out var posix))
                    {
                        throw Error(InvalidCharRange, full);
                    }

                    AddGroup(set, posix, posixNegate, flags);
                    _pos += full.Length;
                    continue;
                }
            }

            if (rest.Length > 2 && rest[0] == '\\' && rest[1] is 'p' or 'P')
            {
                ParseUnicodeClass(flags, set);
                continue;
            }

            if (rest.Length >= 2 && rest[0] == '\\' && rest[1] is 'd' or 'D' or 's' or 'S' or 'w' or 'W')
            {
                ParsePerlClass(flags, set);
                continue;
            }

            var rangeStart = _pos;
            var lo = ParseClassChar(start);
            var hi = lo;
            if (_pos + 1 < _src.Length && _src[_pos] == '-' && _src[_pos + 1] != ']')
            {
                _pos++;
                hi = ParseClassChar(start);
                if (hi < lo)
                {
                    throw Error(InvalidCharRange, _src[rangeStart.._pos]);
                }
            }

            if ((flags & GoFlags.FoldCase) != 0)
            {
                set.AddFolded(lo, hi);
            }
            else
            {
                set.Add(lo, hi);
            }
        }

        _pos++;
        return negate ? set.Negate() : set;
    }

    private int ParseClassChar(int classStart)
    {
        if (_pos >= _src.Length)
        {
            throw Error(MissingBracket, _src[classStart..]);
        }

        return _src[_pos] == '\\' ? ParseEscape() : NextRune();
    }

    private int NextRune()
    {
        if (char.IsSurrogatePair(_src, _pos))
        {
            var rune = char.ConvertToUtf32(_src, _pos);
            _pos += 2;
            return rune;
        }

        // A lone surrogate is what Go would see as invalid UTF-8 (U+FFFD).
        var c = _src[_pos++];
        return char.IsSurrogate(c) ? 0xFFFD : c;
    }

    private static Piece Token(string text, bool atomic, GoNode node) =>
        new(text, atomic, Quantified: false, RepeatProduct: 0) { Node = node };

    private static Piece ClassPiece(CodePointSet set) =>
        new(set.ToPattern(out var atomic), atomic, Quantified: false, 0) { ConsumesOneCodePoint = true, Node = GoNode.Set(set) };

    private static Piece Literal(int rune, GoFlags flags)
    {
        if ((flags & GoFlags.FoldCase) != 0 && CodePointSet.Orbit(rune) is { } orbit)
        {
            var set = new CodePointSet();
            foreach (var member in orbit)
            {
                set.Add(member, member);
            }

            return ClassPiece(set);
        }

        if (rune >= 0x10000)
        {
            var s = char.ConvertFromUtf32(rune);
            return Token(CodePointSet.EscapeUnit(s[0]) + CodePointSet.EscapeUnit(s[1]), atomic: false, GoNode.Rune(rune))
                with { ConsumesOneCodePoint = true };
        }

        if (char.IsAsciiLetterOrDigit((char)rune))
        {
            return Token(((char)rune).ToString(), atomic: true, GoNode.Rune(rune)) with { ConsumesOneCodePoint = true };
        }

        return Token(CodePointSet.EscapeUnit(rune), atomic: true, GoNode.Rune(rune)) with { ConsumesOneCodePoint = true };
    }

    private readonly record struct Piece(string Text, bool Atomic, bool Quantified, long RepeatProduct, string? CodeUnitLoopForm = null)
    {
        /// <summary>Contains a <c>.*</c>/<c>.+</c> emitted over UTF-16 units.</summary>
        public bool HasCodeUnitLoop { get; init; }

        /// <summary>Always consumes exactly one code point (a literal, class or dot), so it separates loops.</summary>
        public bool ConsumesOneCodePoint { get; init; }

        /// <summary>Never matches the empty string.</summary>
        public bool NonEmpty
        {
            get => _nonEmpty || ConsumesOneCodePoint;
            init => _nonEmpty = value;
        }

        /// <summary>Contains a capturing group.</summary>
        public bool HasCapture { get; init; }

        /// <summary>The same expression as a tree, for <see cref="GoProgram"/>.</summary>
        public GoNode Node { get; init; } = GoNode.Empty;

        private readonly bool _nonEmpty;
    }
}

/// <summary>The result of translating a Go expression: the .NET pattern and Go's capture-group names.</summary>
/// <param name="Pattern">A .NET pattern with unnamed groups only, numbered as Go numbers them.</param>
/// <param name="GroupNames">Index = group number (0 is the whole match); <c>""</c> for unnamed groups.</param>
/// <param name="NeedsBacktracking">True when the pattern uses lookarounds (ASCII <c>\b</c>/<c>\B</c>).</param>
internal sealed record GoRegexTranslation(string Pattern, string[] GroupNames, bool NeedsBacktracking)
{
    /// <summary>
    /// Go's program for the pattern when it repeats a sub-expression that can match empty (the captures then come
    /// from <see cref="GoProgram"/>); null otherwise.
    /// </summary>
    public GoProgram? Program { get; init; }

    /// <summary>The parsed expression (Go's program for any pattern is <c>GoProgram.Create(Root, GroupNames.Length)</c>).</summary>
    public GoNode Root { get; init; } = GoNode.Empty;
}
