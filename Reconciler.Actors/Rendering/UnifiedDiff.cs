using System.Globalization;
using System.Text.RegularExpressions;
using DiffPlex.Renderer;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// A unified diff (as <c>diff -u</c> prints it) from the live file to a new render. The final
/// newline is left out of the comparison: DiffPlex would count the empty text after it as one more
/// line, and every hunk header would be one line off from what diff and patch expect.
/// </summary>
public static partial class UnifiedDiff
{
    private const int ContextLines = 3;

    /// <param name="current">the live content; null when the file does not exist yet.</param>
    /// <returns>The diff, empty when the texts are equal.</returns>
    public static string Between(string? current, string proposed, string path) =>
        Between(current, proposed, current is null ? "/dev/null" : path, path);

    /// <summary>Between two renders, each header naming where its text comes from (<c>haproxy@1822</c>, say).</summary>
    public static string Between(string? current, string proposed, string fromLabel, string toLabel)
    {
        if (current == proposed)
        {
            return string.Empty;
        }

        if (string.IsNullOrEmpty(current))
        {
            return Render(string.Empty, WithoutFinalNewline(proposed), fromLabel, toLabel);
        }

        // A change touches a few lines of a file that may have 100,000: the lines before the first difference and
        // after the last (beyond the context kept) are cut first, and the hunks' line numbers moved back after,
        // so DiffPlex compares tens of lines, not the whole file (~20 ms at 10,000 lines)
        var old = WithoutFinalNewline(current).Split('\n');
        var @new = WithoutFinalNewline(proposed).Split('\n');
        var prefix = 0;
        while (prefix < old.Length && prefix < @new.Length && old[prefix] == @new[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < old.Length - prefix && suffix < @new.Length - prefix && old[^(suffix + 1)] == @new[^(suffix + 1)])
        {
            suffix++;
        }

        var skipped = Math.Max(0, prefix - ContextLines);
        var dropped = Math.Max(0, suffix - ContextLines);
        var diff = Render(
            string.Join('\n', old[skipped..^dropped]), string.Join('\n', @new[skipped..^dropped]), fromLabel, toLabel);
        return skipped == 0 ? diff : HunkHeader().Replace(diff, hunk => Moved(hunk, skipped));
    }

    private static string Render(string current, string proposed, string fromLabel, string toLabel) =>
        UnidiffRenderer.GenerateUnidiff(current, proposed, fromLabel, toLabel, ignoreWhitespace: false, ignoreCase: false, contextLines: ContextLines);

    private static string Moved(Match hunk, int lines) => string.Create(
        CultureInfo.InvariantCulture,
        $"@@ -{int.Parse(hunk.Groups[1].Value, CultureInfo.InvariantCulture) + lines}{hunk.Groups[2].Value} +{int.Parse(hunk.Groups[3].Value, CultureInfo.InvariantCulture) + lines}{hunk.Groups[4].Value} @@");

    [GeneratedRegex(@"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", RegexOptions.Multiline)]
    private static partial Regex HunkHeader();

    private static string WithoutFinalNewline(string text) => text.EndsWith('\n') ? text[..^1] : text;
}
