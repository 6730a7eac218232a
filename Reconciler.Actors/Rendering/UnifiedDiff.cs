using DiffPlex.Renderer;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// A unified diff (as <c>diff -u</c> prints it) from the live file to a new render. The final
/// newline is left out of the comparison: DiffPlex would count the empty text after it as one more
/// line, and every hunk header would be one line off from what diff and patch expect.
/// </summary>
public static class UnifiedDiff
{
    private const int ContextLines = 3;

    /// <param name="current">the live content; null when the file does not exist yet.</param>
    /// <returns>The diff, empty when the texts are equal.</returns>
    public static string Between(string? current, string proposed, string path) =>
        Between(current, proposed, current is null ? "/dev/null" : path, path);

    /// <summary>Between two renders, each header naming where its text comes from (<c>haproxy@1822</c>, say).</summary>
    public static string Between(string? current, string proposed, string fromLabel, string toLabel) =>
        current == proposed
            ? string.Empty
            : UnidiffRenderer.GenerateUnidiff(
                WithoutFinalNewline(current ?? string.Empty),
                WithoutFinalNewline(proposed),
                fromLabel,
                toLabel,
                ignoreWhitespace: false,
                ignoreCase: false,
                contextLines: ContextLines);

    private static string WithoutFinalNewline(string text) => text.EndsWith('\n') ? text[..^1] : text;
}
