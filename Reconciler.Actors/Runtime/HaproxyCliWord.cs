using System.Text;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// What may go to HAProxy's admin socket as one word of a command. Its CLI ends a command at ';' and at a newline,
/// drops a '\' before the next character, and waits for a payload after a line ending in '&lt;&lt;'; quotes and '#' mean
/// something in haproxy.cfg that they do not mean there. A word with any of these, or with a character outside
/// printable ASCII, would not reach HAProxy as the word the file has, or would carry a second command.
/// </summary>
internal static class HaproxyCliWord
{
    public static bool IsSafe(string word) =>
        word.Length > 0
        && !word.Contains("<<", StringComparison.Ordinal)
        && word.All(c => c is >= '!' and <= '~' and not (';' or '\\' or '\'' or '"' or '#'));

    /// <summary><paramref name="text"/> for a one-line message: characters outside printable ASCII as <c>\uXXXX</c>.</summary>
    public static string Printable(string text)
    {
        var printable = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            printable.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return printable.ToString();
    }
}
