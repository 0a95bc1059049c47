namespace Quartermaster.Core.Labels;

/// <summary>Label-name ordering and validation as Prometheus defines them.</summary>
public static class LabelNames
{
    /// <summary>
    /// Compares two names in UTF-8 byte order, which is how Go sorts label names. It equals ordinal UTF-16 order
    /// except when a supplementary character meets a BMP character at or above U+E000.
    /// </summary>
    public static int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var common = x.AsSpan().CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length - y.Length;
        }

        return CodePointOrder(x[common]) - CodePointOrder(y[common]);
    }

    /// <summary>Prometheus 3.x UTF-8 validation: non-empty and valid UTF-8 (no lone surrogate).</summary>
    public static bool IsValidUtf8Name(string name) => name.Length > 0 && IsWellFormedUtf16(name);

    /// <summary>The legacy scheme: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsValidLegacyName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValid(string name, bool legacy) => legacy ? IsValidLegacyName(name) : IsValidUtf8Name(name);

    internal static bool IsWellFormedUtf16(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    // Maps UTF-16 code units so that integer order equals code-point (and therefore UTF-8 byte) order.
    private static int CodePointOrder(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
