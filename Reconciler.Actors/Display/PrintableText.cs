using System.Buffers;
using System.Globalization;
using System.Text;

namespace Reconciler.Actors.Display;

/// <summary>
/// Registry text shown to a human (a log line, /healthz, the journal, a command's output) and what must never reach a
/// config line. <see cref="HasControlCharacter"/>: C0 and C1 controls, DEL, and the Unicode line and paragraph
/// separators (a newline ends the line and starts the attacker's own). <see cref="Of"/> also shows the invisible
/// characters that make a terminal or an editor show other text than there is: bidi embeddings, overrides, isolates
/// and marks (a name that reads backwards), zero-width characters and the byte-order mark (two names that look alike).
/// </summary>
public static class PrintableText
{
    /// <summary>How many characters of a key name <see cref="ShortOf"/> shows; the rest is counted, not shown.</summary>
    public const int MostShownChars = 200;

    private static readonly SearchValues<char> Controls = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Append(0x2028).Append(0x2029).Select(c => (char)c)));

    // U+061C Arabic letter mark, U+180E Mongolian vowel separator, U+200B–U+200F zero-width space, non-joiner,
    // joiner, LTR and RTL marks, U+202A–U+202E embeddings and overrides, U+2060–U+2064 word joiner and invisible
    // operators, U+2066–U+2069 isolates, U+FEFF byte-order mark, U+FFF9–U+FFFB interlinear annotations
    private static readonly SearchValues<char> Hidden = SearchValues.Create(
        string.Concat(
            Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Append(0x2028).Append(0x2029)
                .Append(0x061C).Append(0x180E).Concat(Enumerable.Range(0x200B, 5)).Concat(Enumerable.Range(0x202A, 5))
                .Concat(Enumerable.Range(0x2060, 5)).Concat(Enumerable.Range(0x2066, 4)).Append(0xFEFF).Concat(Enumerable.Range(0xFFF9, 3))
                .Select(c => (char)c)));

    public static bool HasControlCharacter(string text) => text.AsSpan().IndexOfAny(Controls) >= 0;

    /// <summary>
    /// <paramref name="text"/> with each control and invisible character written as <c>\n</c>, <c>\r</c>, <c>\t</c>,
    /// <c>\x1b</c> (up to U+00FF) or <c>\u202e</c>, and each lone surrogate as <c>\ud800</c>: what a terminal shows is
    /// what the registry holds.
    /// </summary>
    public static string Of(string text) => Escape(text, keepTabs: false);

    /// <summary>
    /// A key name as logs, /healthz and the journal show it: <see cref="Of"/> its first <see cref="MostShownChars"/>
    /// characters, and past them how long it is: <c>/apps/aaaa…(1048576 bytes)</c>.
    /// </summary>
    public static string ShortOf(string text)
    {
        if (text.Length <= MostShownChars)
        {
            return Of(text);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Of(text[..Cut(text)])}…({Encoding.UTF8.GetByteCount(text)} bytes)");
    }

    /// <summary>
    /// <see cref="ShortOf(string)"/> of a name still in UTF-8 (<paramref name="utf8"/>, a key from etcd): only what is shown
    /// is decoded, so a name of a megabyte costs no megabyte of text.
    /// </summary>
    public static string ShortOf(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, MostShownChars * 4)]);
        return text.Length <= MostShownChars && utf8.Length <= MostShownChars * 4
            ? Of(text)
            : string.Create(CultureInfo.InvariantCulture, $"{Of(text[..Cut(text)])}…({utf8.Length} bytes)");
    }

    /// <summary>
    /// Lines of a file (a diff, say) as a terminal may show them: <see cref="Of"/> each line, keeping the line breaks
    /// between them and the tabs in them, which a config file has and which hide nothing.
    /// </summary>
    public static string OfLines(string text) =>
        text.AsSpan().IndexOfAny(Hidden) < 0 && text.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0
            ? text
            : string.Join('\n', text.Split('\n').Select(line => Escape(line, keepTabs: true)));

    /// <summary>Where to cut <paramref name="text"/> to show at most <see cref="MostShownChars"/>, never inside a surrogate pair.</summary>
    private static int Cut(string text) =>
        text.Length <= MostShownChars ? text.Length : char.IsHighSurrogate(text[MostShownChars - 1]) ? MostShownChars - 1 : MostShownChars;

    private static string Escape(string text, bool keepTabs)
    {
        if (text.AsSpan().IndexOfAny(Hidden) < 0 && text.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0)
        {
            return text;
        }

        var printable = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    printable.Append(c).Append(text[++i]);
                }
                else
                {
                    printable.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }

                continue;
            }

            switch (c)
            {
                case '\t' when keepTabs:
                    printable.Append(c);
                    break;
                case '\n':
                    printable.Append("\\n");
                    break;
                case '\r':
                    printable.Append("\\r");
                    break;
                case '\t':
                    printable.Append("\\t");
                    break;
                case <= '\u00ff' when Hidden.Contains(c):
                    printable.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    break;
                case > '\u00ff' when Hidden.Contains(c):
                    printable.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    printable.Append(c);
                    break;
            }
        }

        return printable.ToString();
    }
}
