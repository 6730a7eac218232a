using System.Buffers;
using System.Globalization;
using System.Text;

namespace Reconciler.Actors.Templates;

/// <summary>
/// Control characters: what must never reach a config line from the registry (a newline ends the line and starts the
/// attacker's own), nor a log line. C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
/// </summary>
internal static class PrintableText
{
    private static readonly SearchValues<char> Controls = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Append(0x2028).Append(0x2029).Select(c => (char)c)));

    public static bool HasControlCharacter(string text) => text.AsSpan().IndexOfAny(Controls) >= 0;

    /// <summary><paramref name="text"/> with each control character written as <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\uXXXX</c>.</summary>
    public static string Of(string text)
    {
        if (!HasControlCharacter(text))
        {
            return text;
        }

        var printable = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            printable.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when Controls.Contains(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        return printable.ToString();
    }
}
