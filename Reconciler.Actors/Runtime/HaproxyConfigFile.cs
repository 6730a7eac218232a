using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// An haproxy.cfg read as sections of significant lines (comments and blank lines dropped, words re-joined by one
/// space), with the server lines of each backend kept apart: enough to tell whether two files differ only in servers.
/// </summary>
internal sealed class HaproxyConfigFile
{
    private static readonly HashSet<string> SectionKeywords =
    [
        "global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist", "mailers", "program",
        "http-errors", "ring", "cache", "log-forward",
    ];

    private HaproxyConfigFile(ImmutableArray<HaproxySection> sections) => Sections = sections;

    public ImmutableArray<HaproxySection> Sections { get; }

    public static HaproxyConfigFile Parse(string text)
    {
        var sections = ImmutableArray.CreateBuilder<HaproxySection>();
        var header = string.Empty;
        var lines = new List<string>();
        var servers = new List<IReadOnlyList<string>>();
        foreach (var raw in text.Split('\n'))
        {
            var words = Words(raw);
            if (words.Count == 0)
            {
                continue;
            }

            if (SectionKeywords.Contains(words[0]))
            {
                sections.Add(new HaproxySection(header, [.. lines], [.. servers]));
                header = string.Join(' ', words);
                lines.Clear();
                servers.Clear();
            }
            else if (words[0] == "server")
            {
                servers.Add(words);
            }
            else
            {
                lines.Add(string.Join(' ', words));
            }
        }

        sections.Add(new HaproxySection(header, [.. lines], [.. servers]));
        return new HaproxyConfigFile(sections.ToImmutable());
    }

    // whitespace-separated words up to an unquoted '#'; quotes are kept, so a quoted '#' stays part of its word
    private static List<string> Words(string line)
    {
        var comment = -1;
        var quote = '\0';
        for (var i = 0; i < line.Length && comment < 0; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#')
            {
                comment = i;
            }
        }

        var significant = comment >= 0 ? line[..comment] : line;
        return [.. significant.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)];
    }
}

/// <summary>
/// One section: its header (<c>backend app</c>; empty before the first one), its other lines and its server lines
/// (as words).
/// </summary>
internal sealed record HaproxySection(string Header, ImmutableArray<string> Lines, ImmutableArray<IReadOnlyList<string>> ServerWords)
{
    /// <summary>The backend name for a <c>backend</c> or <c>listen</c> section, else null.</summary>
    public string? BackendName
    {
        get
        {
            var words = Header.Split(' ');
            return words.Length >= 2 && words[0] is "backend" or "listen" ? words[1] : null;
        }
    }
}
