using System.Text;
using System.Text.RegularExpressions;

namespace Reconciler.Tests.Docs;

/// <summary>
/// A Markdown file of the documentation as the docs tests read it: its fenced blocks (each with the HTML comment
/// just above it, if any), its relative links and the anchors its headings make (GitHub's rule).
/// </summary>
internal sealed partial class MarkdownDocument
{
    private MarkdownDocument(string path, string name, IReadOnlyList<FencedBlock> blocks, IReadOnlyList<MarkdownLink> links, IReadOnlySet<string> anchors, IReadOnlyList<string> lines)
    {
        Path = path;
        Name = name;
        Blocks = blocks;
        Links = links;
        Anchors = anchors;
        Lines = lines;
    }

    public string Path { get; }

    /// <summary>The path from the repository root, as a failure names it.</summary>
    public string Name { get; }

    public IReadOnlyList<FencedBlock> Blocks { get; }

    public IReadOnlyList<MarkdownLink> Links { get; }

    public IReadOnlySet<string> Anchors { get; }

    /// <summary>The lines outside fenced blocks (inside ones are blank), for the checks that read prose and tables.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>README.md and every page under docs/.</summary>
    public static IReadOnlyList<MarkdownDocument> All(string repositoryRoot)
    {
        var docs = System.IO.Path.Combine(repositoryRoot, "docs");
        var pages = Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        return [.. new[] { System.IO.Path.Combine(repositoryRoot, "README.md") }.Concat(pages).Select(path => Read(path, repositoryRoot))];
    }

    public static MarkdownDocument Read(string path, string repositoryRoot)
    {
        var lines = File.ReadAllLines(path);
        var blocks = new List<FencedBlock>();
        var links = new List<MarkdownLink>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var prose = new List<string>();
        var lastBlockEnd = -2;
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                prose.Add(lines[i]);
                Heading(lines[i], anchors);
                links.AddRange(LinksOf(lines[i], i + 1));
                continue;
            }

            var indent = fence.Groups[1].Value.Length;
            var start = i;
            var text = new StringBuilder();
            for (i++; i < lines.Length && !Fence().IsMatch(lines[i]); i++)
            {
                var line = lines[i];
                text.Append(line.Length >= indent && string.IsNullOrWhiteSpace(line[..indent]) ? line[indent..] : line.TrimStart()).Append('\n');
            }

            var besidePrevious = lastBlockEnd >= 0 && lines[(lastBlockEnd + 1)..start].All(string.IsNullOrWhiteSpace);
            blocks.Add(new FencedBlock(fence.Groups[2].Value, text.ToString(), start + 1, MarkerAbove(lines, start), besidePrevious));
            lastBlockEnd = i;
            prose.AddRange(Enumerable.Repeat(string.Empty, i - start + 1));
        }

        return new MarkdownDocument(path, System.IO.Path.GetRelativePath(repositoryRoot, path), blocks, links, anchors, prose);
    }

    /// <summary>The text of an HTML comment on the last non-blank line above a fence, e.g. "invalid" for &lt;!-- invalid --&gt;.</summary>
    private static string? MarkerAbove(string[] lines, int fenceLine)
    {
        var above = fenceLine - 1;
        while (above >= 0 && string.IsNullOrWhiteSpace(lines[above]))
        {
            above--;
        }

        var comment = above >= 0 ? Comment().Match(lines[above]) : Match.Empty;
        return comment.Success ? comment.Groups[1].Value.Trim() : null;
    }

    private static void Heading(string line, HashSet<string> anchors)
    {
        var heading = HeadingLine().Match(line);
        if (!heading.Success)
        {
            return;
        }

        var slug = Slug(heading.Groups[1].Value);
        var unique = slug;
        for (var n = 1; !anchors.Add(unique); n++)
        {
            unique = $"{slug}-{n}";
        }
    }

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    public static string Slug(string heading)
    {
        var text = heading.Trim().ToLowerInvariant();
        var slug = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static IEnumerable<MarkdownLink> LinksOf(string line, int number) =>
        Link().Matches(CodeSpan().Replace(line, string.Empty))
            .Select(match => match.Groups[1].Value)
            .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal))
            .Select(target => new MarkdownLink(target, number));

    [GeneratedRegex(@"^(\s*)```\s*([A-Za-z0-9_-]*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!--(.*?)-->\s*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex CodeSpan();
}

/// <summary>A fenced block: its language (the word after the fence), its text, the line of its opening fence, the
/// HTML comment above it, and whether only blank lines separate it from the block before.</summary>
internal sealed record FencedBlock(string Language, string Text, int Line, string? Marker, bool BesidePrevious);

/// <summary>A relative link's target (path and/or #anchor) and its line.</summary>
internal sealed record MarkdownLink(string Target, int Line);
