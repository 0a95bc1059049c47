using System.Text.RegularExpressions;

namespace Quartermaster.Core.Relabeling;

/// <summary>A successful match with Go's group numbering and names, for <see cref="GoExpand"/>.</summary>
public sealed class GoMatch
{
    private static readonly string[] WholeInputNames = ["", ""];

    private readonly Match? _match;
    private readonly int[]? _caps;
    private readonly IReadOnlyList<string> _names;

    internal GoMatch(string input, Match match, IReadOnlyList<string> names)
    {
        Input = input;
        _match = match;
        _names = names;
    }

    /// <summary>A match from <see cref="GoProgram"/>: start and end of each group (UTF-16 indices, -1 when absent).</summary>
    internal GoMatch(string input, int[] caps, IReadOnlyList<string> names)
    {
        Input = input;
        _caps = caps;
        _names = names;
    }

    private GoMatch(string input)
    {
        Input = input;
        _names = WholeInputNames;
    }

    public string Input { get; }

    /// <summary>Start and end (exclusive) of the whole match in <see cref="Input"/>.</summary>
    public (int Start, int End) Span =>
        _caps is not null ? (_caps[0], _caps[1])
        : _match is null ? (0, Input.Length)
        : (_match.Index, _match.Index + _match.Length);

    /// <summary>Number of groups including group 0.</summary>
    public int GroupCount => _names.Count;

    internal static GoMatch WholeInput(string input) => new(input);

    /// <summary>The text of group <paramref name="index"/>, or null if it does not exist or did not participate.</summary>
    public ReadOnlySpan<char> Group(int index, out bool participated)
    {
        participated = false;
        if (index < 0 || index >= _names.Count)
        {
            return default;
        }

        if (_caps is not null)
        {
            var (start, end) = (_caps[2 * index], _caps[(2 * index) + 1]);
            participated = start >= 0 && end >= 0;
            return participated ? Input.AsSpan(start, end - start) : default;
        }

        if (_match is null)
        {
            participated = true;
            return Input;
        }

        var group = _match.Groups[index];
        participated = group.Success;
        return participated ? Input.AsSpan(group.Index, group.Length) : default;
    }

    /// <summary>The first participating group named <paramref name="name"/> (Go <c>Expand</c> rule).</summary>
    public ReadOnlySpan<char> Group(ReadOnlySpan<char> name, out bool participated)
    {
        for (var i = 1; i < _names.Count; i++)
        {
            if (name.SequenceEqual(_names[i]))
            {
                var text = Group(i, out participated);
                if (participated)
                {
                    return text;
                }
            }
        }

        participated = false;
        return default;
    }
}
