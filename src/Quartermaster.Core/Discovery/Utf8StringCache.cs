using System.Text.Json;
using System.Text.Unicode;

namespace Quartermaster.Core.Discovery;

/// <summary>
/// Strings read from one JSON document, each kept once: an equal string read again is the same instance, and reading it
/// allocates nothing. For label names and values, which a discovery document repeats in every group.
/// </summary>
internal sealed class Utf8StringCache
{
    /// <summary>Longer values are read as they are: rarely repeated, and not worth a stack buffer.</summary>
    private const int MaxCachedBytes = 2048;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public Utf8StringCache() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The reader's current string token (a property name or a string value), as <see cref="Utf8JsonReader.GetString"/> gives it.</summary>
    public string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxCachedBytes)
        {
            return reader.GetString()!;
        }

        var utf8 = reader.ValueSpan;
        Span<char> chars = stackalloc char[utf8.Length];
        if (Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            // Invalid UTF-8: the reader reports it exactly as before.
            return reader.GetString()!;
        }

        var text = chars[..written];
        if (_lookup.TryGetValue(text, out var known))
        {
            return known;
        }

        var added = new string(text);
        _strings.Add(added, added);
        return added;
    }
}
