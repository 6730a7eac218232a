using System.Text;

namespace Reconciler.Actors.Configuration;

/// <summary>
/// What Akka's HOCON parser gets wrong, dealt with before it runs: it accepts an unclosed <c>{</c> or
/// <c>[</c> at the end of a file and silently drops what follows, an optional substitution
/// <c>${?NAME}</c> (which would not read the environment anyway) hangs it or overflows its stack,
/// an <c>include</c> fails inside it,
/// and it refuses a comma after an object that is not in a list (<c>a { b { c = 1 }, d = 2 }</c>),
/// which the HOCON specification allows. A problem is placed where the mistake starts: an unterminated string at its
/// opening quote (not at the brace around it, which then looks unclosed), an unclosed bracket at itself, with where
/// the file ended without it.
/// </summary>
internal static class HoconSyntaxCheck
{
    /// <summary>The first problem as "line L, column C: ..." or null when there is none.</summary>
    public static string? FindProblem(string text) => Scan(text, commasAfterObjects: null);

    /// <summary>
    /// The text with every comma that follows an object outside a list replaced by a space: the
    /// same meaning, in a form Akka reads. Lengths are kept, so positions in Akka's errors still hold.
    /// </summary>
    public static string WithoutCommasAfterObjects(string text)
    {
        var commas = new List<int>();
        Scan(text, commas);
        if (commas.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text);
        foreach (var comma in commas)
        {
            builder[comma] = ' ';
        }

        return builder.ToString();
    }

    /// <summary>"line L, column C" of a character offset (both 1-based).</summary>
    public static string Position(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var lineStart = offset == 0 ? 0 : text.LastIndexOf('\n', offset - 1) + 1;
        var line = 1 + text.AsSpan(0, lineStart).Count('\n');
        return $"line {line}, column {offset - lineStart + 1}";
    }

    private static string? Scan(string text, List<int>? commasAfterObjects)
    {
        var open = new Stack<(char Bracket, int Offset)>();
        var afterObjectOutsideList = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var closesObjectOutsideList = false;
            switch (c)
            {
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    i = SkipToEndOfLine(text, i) - 1;
                    continue;
                case '"':
                    i = SkipString(text, i);
                    if (i < 0)
                    {
                        return Unterminated(text, ~i);
                    }

                    break;
                case '$' when string.CompareOrdinal(text, i, "${?", 0, 3) == 0:
                    return $"{Position(text, i)}: optional substitutions like ${{?NAME}} are not supported (environment variables are not read); write the value";
                case 'i' when IsInclude(text, i):
                    return $"{Position(text, i)}: include is not supported; write the settings in this file";
                case '{' or '[':
                    open.Push((c, i));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0)
                    {
                        return $"{Position(text, i)}: unexpected '{c}': no '{expected}' is open";
                    }

                    if (open.Peek().Bracket != expected)
                    {
                        return $"{Position(text, i)}: unexpected '{c}': the '{open.Peek().Bracket}' at {Position(text, open.Peek().Offset)} is still open";
                    }

                    open.Pop();
                    closesObjectOutsideList = c == '}' && (open.Count == 0 || open.Peek().Bracket == '{');
                    break;
                case ',' when afterObjectOutsideList:
                    commasAfterObjects?.Add(i);
                    break;
                case var _ when char.IsWhiteSpace(c):
                    continue;
            }

            afterObjectOutsideList = closesObjectOutsideList;
        }

        return open.Count == 0
            ? null
            : $"{Position(text, open.Peek().Offset)}: '{open.Peek().Bracket}' is never closed (the file ends at {Position(text, text.Length)} without its '{(open.Peek().Bracket == '{' ? '}' : ']')}')";
    }

    /// <summary>An <c>include</c> statement (Akka fails on it with a NullReferenceException): the word where a key may start.</summary>
    private static bool IsInclude(string text, int i)
    {
        const string word = "include";
        if (string.CompareOrdinal(text, i, word, 0, word.Length) != 0 || i + word.Length >= text.Length || !char.IsWhiteSpace(text[i + word.Length]))
        {
            return false;
        }

        var before = i - 1;
        while (before >= 0 && text[before] is ' ' or '\t')
        {
            before--;
        }

        return before < 0 || text[before] is '\n' or '{' or ',';
    }

    private static int SkipToEndOfLine(string text, int i)
    {
        var end = text.IndexOf('\n', i);
        return end < 0 ? text.Length : end;
    }

    /// <summary>
    /// The index of the closing quote of a "..." or """...""" string; the bitwise complement of its opening quote's when
    /// it has none: a "..." string ends on its line (HOCON), a """...""" one before the end of the file.
    /// </summary>
    private static int SkipString(string text, int i)
    {
        var triple = string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0;
        var terminator = triple ? "\"\"\"" : "\"";
        var j = i + terminator.Length;
        while (j < text.Length && (triple || text[j] != '\n'))
        {
            if (!triple && text[j] == '\\')
            {
                j++;
            }
            else if (string.CompareOrdinal(text, j, terminator, 0, terminator.Length) == 0)
            {
                return j + terminator.Length - 1;
            }

            j++;
        }

        return ~i;
    }

    private static string Unterminated(string text, int quote) =>
        string.CompareOrdinal(text, quote, "\"\"\"", 0, 3) == 0
            ? $"{Position(text, quote)}: this \"\"\" string is never closed (the file ends at {Position(text, text.Length)} without its closing \"\"\")"
            : $"{Position(text, quote)}: this string is never closed: a quoted string ends with '\"' on its own line";
}
