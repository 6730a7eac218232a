using System.Collections.Immutable;
using System.Text;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// A map or ACL file read the way HAProxy reads it when it loads one (pattern.c, <c>pat_ref_read_from_file_smp</c>
/// and <c>pat_ref_read_from_file</c>): a line starting with '#' is a comment (only at its first column), leading
/// spaces and tabs are dropped, an empty line is skipped, and a line ends at CR or LF. A map line's key runs to the
/// first space or tab and its value is the rest, trailing spaces and tabs trimmed; an ACL line is one pattern, its
/// spaces kept. Duplicates stay, in order: HAProxy keeps them too, and the first one matches.
/// </summary>
internal static class HaproxyPatternFile
{
    /// <summary>HAProxy reads a file line by line into a buffer of tune.bufsize (16384 by default); a longer line would be split.</summary>
    public const int LongestLine = 16383;

    public static ImmutableArray<HaproxyPattern> Read(string text, bool isMap)
    {
        var patterns = ImmutableArray.CreateBuilder<HaproxyPattern>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.AsSpan();
            if (line.IndexOfAny('\0', '\r') is >= 0 and var end)
            {
                line = line[..end]; // HAProxy's C string ends at a NUL, and its line at a CR
            }

            if (line.StartsWith("#"))
            {
                continue;
            }

            line = line.TrimStart(" \t");
            if (line.IsEmpty)
            {
                continue;
            }

            patterns.Add(isMap ? MapEntry(line) : new HaproxyPattern(line.ToString(), null));
        }

        return patterns.ToImmutable();
    }

    /// <summary>Why <paramref name="text"/> could not be read the same way by HAProxy (a line too long for its buffer); null when it can.</summary>
    public static string? Unreadable(string text)
    {
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (Encoding.UTF8.GetByteCount(line) >= LongestLine)
            {
                return $"line {number} is longer than HAProxy reads in one piece ({LongestLine} bytes)";
            }
        }

        return null;
    }

    private static HaproxyPattern MapEntry(ReadOnlySpan<char> line)
    {
        var keyEnd = line.IndexOfAny(' ', '\t');
        if (keyEnd < 0)
        {
            return new HaproxyPattern(line.ToString(), string.Empty);
        }

        return new HaproxyPattern(line[..keyEnd].ToString(), line[keyEnd..].Trim(" \t").ToString());
    }
}
