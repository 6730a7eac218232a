namespace Reconciler.Actors.Configuration;

/// <summary>
/// What Akka's HOCON parser gets wrong, caught before it runs: it accepts an unclosed <c>{</c> or
/// <c>[</c> at the end of a file and silently drops what follows, and an optional substitution
/// <c>${?NAME}</c> (which would not read the environment anyway) hangs it or overflows its stack.
/// </summary>
internal static class HoconSyntaxCheck
{
    /// <summary>The first such problem as "line L: ..." or null when there is none.</summary>
    public static string? FindProblem(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    i = SkipToEndOfLine(text, i) - 1;
                    break;
                case '"':
                    i = SkipString(text, i, ref line);
                    break;
                case '$' when string.CompareOrdinal(text, i, "${?", 0, 3) == 0:
                    return $"line {line}: optional substitutions like ${{?NAME}} are not supported (environment variables are not read); write the value";
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0 || open.Peek().Bracket != expected)
                    {
                        return $"line {line}: unexpected '{c}'";
                    }

                    open.Pop();
                    break;
            }
        }

        return open.Count == 0 ? null : $"line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed";
    }

    private static int SkipToEndOfLine(string text, int i)
    {
        var end = text.IndexOf('\n', i);
        return end < 0 ? text.Length : end;
    }

    /// <summary>Returns the index of the closing quote of a "..." or """...""" string.</summary>
    private static int SkipString(string text, int i, ref int line)
    {
        var triple = string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0;
        var terminator = triple ? "\"\"\"" : "\"";
        var j = i + terminator.Length;
        while (j < text.Length)
        {
            if (text[j] == '\n')
            {
                line++;
            }
            else if (!triple && text[j] == '\\')
            {
                j++;
            }
            else if (string.CompareOrdinal(text, j, terminator, 0, terminator.Length) == 0)
            {
                return j + terminator.Length - 1;
            }

            j++;
        }

        return text.Length;
    }
}
