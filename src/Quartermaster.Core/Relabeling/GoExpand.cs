using System.Text;

namespace Quartermaster.Core.Relabeling;

/// <summary>Go <c>Regexp.Expand</c>: <c>$1 ${1} $name ${name} $$</c> with Go's longest-name rule (prometheus.md §1.7).</summary>
public static class GoExpand
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>Expands <paramref name="template"/> against <paramref name="match"/> into a new string.</summary>
    public static string Expand(string template, GoMatch match)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(match);
        if (template.IndexOf('$', StringComparison.Ordinal) < 0)
        {
            return template;
        }

        if (template is "$1" or "${1}")
        {
            // The operator's most common template: reuse the input string when group 1 spans all of it.
            var group = match.Group(1, out _);
            return group.Length == match.Input.Length ? match.Input : group.ToString();
        }

        var sb = t_builder ??= new StringBuilder(256);
        sb.Clear();
        Expand(sb, template, match);
        var result = sb.ToString();
        if (sb.Capacity > 4096)
        {
            t_builder = null;
        }

        return result;
    }

    public static void Expand(StringBuilder destination, string template, GoMatch match)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(match);
        var t = template.AsSpan();
        while (t.Length > 0)
        {
            var i = t.IndexOf('$');
            if (i < 0)
            {
                break;
            }

            destination.Append(t[..i]);
            t = t[i..];
            if (t.Length > 1 && t[1] == '$')
            {
                destination.Append('$');
                t = t[2..];
                continue;
            }

            if (!TryExtract(t, out var name, out var num, out var consumed))
            {
                // Malformed: emit '$' and rescan from the next character.
                destination.Append('$');
                t = t[1..];
                continue;
            }

            t = t[consumed..];
            var value = num >= 0 ? match.Group(num, out _) : match.Group(name, out _);
            destination.Append(value);
        }

        destination.Append(t);
    }

    // Go regexp.extract: t starts with '$'.
    private static bool TryExtract(ReadOnlySpan<char> t, out ReadOnlySpan<char> name, out int num, out int consumed)
    {
        name = default;
        num = -1;
        consumed = 0;
        if (t.Length < 2)
        {
            return false;
        }

        var pos = 1;
        var brace = false;
        if (t[1] == '{')
        {
            brace = true;
            pos = 2;
        }

        var start = pos;
        while (pos < t.Length)
        {
            if (Rune.DecodeFromUtf16(t[pos..], out var rune, out _) != System.Buffers.OperationStatus.Done)
            {
                break;
            }

            if (!Rune.IsLetter(rune) && !Rune.IsDigit(rune) && rune.Value != '_')
            {
                break;
            }

            pos += rune.Utf16SequenceLength;
        }

        if (pos == start)
        {
            return false;
        }

        name = t[start..pos];
        if (brace)
        {
            if (pos >= t.Length || t[pos] != '}')
            {
                return false;
            }

            pos++;
        }

        consumed = pos;
        num = ParseGroupNumber(name);
        return true;
    }

    private static int ParseGroupNumber(ReadOnlySpan<char> name)
    {
        // Go: all ASCII digits, no leading zero (except "0"), below 1e8; otherwise it is a name.
        if (name.Length == 0 || name.Length > 8 || (name.Length > 1 && name[0] == '0'))
        {
            return -1;
        }

        var n = 0;
        foreach (var c in name)
        {
            if (!char.IsAsciiDigit(c))
            {
                return -1;
            }

            n = (n * 10) + (c - '0');
        }

        return n;
    }
}
