using System.Text;
using System.Text.RegularExpressions;
using Quartermaster.Core.Config;

namespace Quartermaster.Core.Discovery;

/// <summary>Validation and globbing of <c>file_sd_configs</c> paths, as Prometheus' <c>discovery/file</c> does it.</summary>
public static partial class FileSdPaths
{
    /// <summary>Returns every problem with <paramref name="config"/>'s paths, in Prometheus' wording; empty if valid.</summary>
    public static IReadOnlyList<string> Validate(FileSdConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        if (config.Files.Count == 0)
        {
            errors.Add("file service discovery config must contain at least one path name");
        }

        foreach (var path in config.Files)
        {
            if (!IsValidPath(path))
            {
                errors.Add($"path name \"{path}\" is not valid for file discovery");
            }
        }

        return errors;
    }

    public static bool IsValidPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return PathPattern().IsMatch(path);
    }

    /// <summary>
    /// Expands one configured path into the existing files it names, sorted ordinally, in the spelling Go's
    /// <c>filepath.Glob</c> returns (a path without wildcards comes back unchanged; matches are cleaned).
    /// </summary>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var slash = pattern.LastIndexOf('/');
        var name = pattern[(slash + 1)..];
        if (!HasMeta(name))
        {
            return File.Exists(pattern) ? [pattern] : [];
        }

        var dir = slash < 0 ? "." : slash == 0 ? "/" : pattern[..slash];
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var matches = new List<string>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(dir))
            {
                var fileName = Path.GetFileName(file);
                if (Match(name, fileName))
                {
                    matches.Add(Clean(dir + "/" + fileName));
                }
            }
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }

        matches.Sort(StringComparer.Ordinal);
        return matches;
    }

    /// <summary>The directory a path's changes are watched in (the directory of its last segment).</summary>
    public static string WatchDirectory(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var slash = pattern.LastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : pattern[..slash];
    }

    private static bool HasMeta(string name) => name.AsSpan().IndexOfAny("*?[\\") >= 0;

    /// <summary>Go's <c>filepath.Match</c> for one path segment: <c>*</c>, <c>?</c>, <c>[...]</c> and <c>\</c> escapes.</summary>
    internal static bool Match(string pattern, string name)
    {
        var p = 0;
        var n = 0;
        var starP = -1;
        var starN = -1;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = ++p;
                starN = n;
                continue;
            }

            if (p < pattern.Length && TryMatchOne(pattern, ref p, name[n]))
            {
                n++;
                continue;
            }

            if (starP >= 0 && name[starN] != '/')
            {
                p = starP;
                n = ++starN;
                continue;
            }

            return false;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool TryMatchOne(string pattern, ref int p, char c)
    {
        var start = p;
        switch (pattern[p])
        {
            case '?':
                p++;
                return c != '/';
            case '\\' when p + 1 < pattern.Length:
                p += 2;
                return pattern[p - 1] == c;
            case '[':
                var i = p + 1;
                var negate = i < pattern.Length && pattern[i] == '^';
                if (negate)
                {
                    i++;
                }

                var matched = false;
                var first = true;
                while (i < pattern.Length && (first || pattern[i] != ']'))
                {
                    first = false;
                    var lo = pattern[i] == '\\' && i + 1 < pattern.Length ? pattern[++i] : pattern[i];
                    i++;
                    var hi = lo;
                    if (i + 1 < pattern.Length && pattern[i] == '-' && pattern[i + 1] != ']')
                    {
                        hi = pattern[i + 1] == '\\' && i + 2 < pattern.Length ? pattern[i += 2] : pattern[++i];
                        i++;
                    }

                    matched |= lo <= c && c <= hi;
                }

                if (i >= pattern.Length)
                {
                    p = start;
                    return false;
                }

                p = i + 1;
                return matched != negate && c != '/';
            default:
                p++;
                return pattern[p - 1] == c;
        }
    }

    /// <summary>Go's <c>path.Clean</c> for slash-separated paths.</summary>
    internal static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add(part);
                }

                continue;
            }

            parts.Add(part);
        }

        var builder = new StringBuilder();
        if (rooted)
        {
            builder.Append('/');
        }

        builder.AppendJoin('/', parts);
        return builder.Length == 0 ? "." : builder.ToString();
    }

    [GeneratedRegex(@"^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();
}
