namespace Reconciler.Actors.Confd;

/// <summary>
/// Splits a Go text/template into text, actions and comments, and each action into tokens, following Go's lexer:
/// <c>{{- </c> and <c> -}}</c> trim markers need the space, a comment must close right before <c>}}</c>, and
/// strings inside an action may contain <c>}}</c>.
/// </summary>
internal sealed class GoTemplateLexer(string source)
{
    private const string Open = "{{";
    private const string Close = "}}";

    private readonly List<int> lineStarts = FindLineStarts(source);

    public IReadOnlyList<GoTemplatePart> Split()
    {
        var parts = new List<GoTemplatePart>();
        var position = 0;
        while (position < source.Length)
        {
            var open = source.IndexOf(Open, position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(Part(GoTemplatePartKind.Text, position, source.Length));
                break;
            }

            if (open > position)
            {
                parts.Add(Part(GoTemplatePartKind.Text, position, open));
            }

            var (part, end) = ReadDelimited(open);
            parts.Add(part);
            position = end;
        }

        return parts;
    }

    private (GoTemplatePart Part, int End) ReadDelimited(int open)
    {
        var inside = open + Open.Length;
        var trimBefore = inside + 1 < source.Length && source[inside] == '-' && IsSpace(source[inside + 1]);
        if (trimBefore)
        {
            inside += 2;
        }

        return source.AsSpan(inside).StartsWith("/*")
            ? ReadComment(open, inside, trimBefore)
            : ReadAction(open, inside, trimBefore);
    }

    private (GoTemplatePart, int) ReadComment(int open, int inside, bool trimBefore)
    {
        var end = source.IndexOf("*/", inside + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            return Failed(GoTemplatePartKind.Comment, open, source.Length, "unclosed comment");
        }

        var after = end + 2;
        var trimAfter = IsTrimmedClose(after);
        if (!trimAfter && !IsClose(after))
        {
            return Failed(GoTemplatePartKind.Comment, open, after, "comment ends before closing delimiter");
        }

        var close = trimAfter ? after + 4 : after + 2;
        var part = Part(GoTemplatePartKind.Comment, open, close) with
        {
            Text = source[(inside + 2)..end],
            TrimBefore = trimBefore,
            TrimAfter = trimAfter,
        };
        return (part, close);
    }

    private (GoTemplatePart, int) ReadAction(int open, int inside, bool trimBefore)
    {
        var tokens = new List<GoToken>();
        var i = inside;
        while (i < source.Length)
        {
            if (IsTrimmedClose(i) || IsClose(i))
            {
                var trimAfter = IsTrimmedClose(i);
                var close = i + (trimAfter ? 4 : 2);
                var part = Part(GoTemplatePartKind.Action, open, close) with
                {
                    Tokens = tokens,
                    TrimBefore = trimBefore,
                    TrimAfter = trimAfter,
                };
                return (part, close);
            }

            if (IsSpace(source[i]))
            {
                i++;
                continue;
            }

            try
            {
                var token = ReadToken(i);
                tokens.Add(token);
                i = token.End;
            }
            catch (UnconvertibleConstructException e)
            {
                var close = source.IndexOf(Close, i, StringComparison.Ordinal);
                return Failed(GoTemplatePartKind.Action, open, close < 0 ? source.Length : close + Close.Length, e.Message);
            }
        }

        return Failed(GoTemplatePartKind.Action, open, source.Length, "unclosed action: {{ without }}");
    }

    private GoToken ReadToken(int start)
    {
        var c = source[start];
        var next = start + 1 < source.Length ? source[start + 1] : '\0';
        return c switch
        {
            '"' => ReadQuoted(start),
            '`' => ReadRaw(start),
            '\'' => ReadChar(start),
            '$' => Token(GoTokenKind.Variable, start, ScanName(start + 1)),
            '.' when char.IsAsciiDigit(next) => ReadNumber(start),
            '.' when IsNameStart(next) => Token(GoTokenKind.Field, start, ScanName(start + 1)),
            '.' => Token(GoTokenKind.Dot, start, start + 1),
            '(' => Token(GoTokenKind.LeftParen, start, start + 1),
            ')' => Token(GoTokenKind.RightParen, start, start + 1),
            '|' => Token(GoTokenKind.Pipe, start, start + 1),
            ',' => Token(GoTokenKind.Comma, start, start + 1),
            ':' when next == '=' => Token(GoTokenKind.Declare, start, start + 2),
            '=' => Token(GoTokenKind.Assign, start, start + 1),
            _ when char.IsAsciiDigit(c) => ReadNumber(start),
            '+' or '-' when char.IsAsciiDigit(next) || next == '.' => ReadNumber(start),
            _ when IsNameStart(c) => Token(GoTokenKind.Identifier, start, ScanName(start)),
            _ => throw new UnconvertibleConstructException($"unexpected '{c}' in action"),
        };
    }

    private GoToken ReadQuoted(int start)
    {
        for (var i = start + 1; i < source.Length && source[i] != '\n'; i++)
        {
            if (source[i] == '\\')
            {
                i++;
            }
            else if (source[i] == '"')
            {
                return new GoToken(GoTokenKind.String, GoStringLiteral.Decode(source[(start + 1)..i]), start, i + 1 - start);
            }
        }

        throw new UnconvertibleConstructException("unterminated quoted string");
    }

    private GoToken ReadRaw(int start)
    {
        var end = source.IndexOf('`', start + 1);
        return end < 0
            ? throw new UnconvertibleConstructException("unterminated raw string")
            : new GoToken(GoTokenKind.String, source[(start + 1)..end].Replace("\r", string.Empty, StringComparison.Ordinal), start, end + 1 - start);
    }

    private GoToken ReadChar(int start)
    {
        for (var i = start + 1; i < source.Length && source[i] != '\n'; i++)
        {
            if (source[i] == '\\')
            {
                i++;
            }
            else if (source[i] == '\'')
            {
                return Token(GoTokenKind.Char, start, i + 1);
            }
        }

        throw new UnconvertibleConstructException("unterminated character constant");
    }

    /// <summary>Takes everything a Go number can hold (digits, '.', '_', letters for hex and exponents, an exponent's sign); the converter decides what it means.</summary>
    private GoToken ReadNumber(int start)
    {
        var i = start + 1;
        while (i < source.Length
               && (char.IsAsciiLetterOrDigit(source[i]) || source[i] is '_' or '.'
                   || (source[i] is '+' or '-' && source[i - 1] is 'e' or 'E' or 'p' or 'P')))
        {
            i++;
        }

        return Token(GoTokenKind.Number, start, i);
    }

    private int ScanName(int start)
    {
        var i = start;
        while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_'))
        {
            i++;
        }

        return i;
    }

    private GoToken Token(GoTokenKind kind, int start, int end) => new(kind, source[start..end], start, end - start);

    private bool IsClose(int i) => source.AsSpan(i).StartsWith(Close);

    /// <summary>Go's right trim marker: a space, then <c>-}}</c>.</summary>
    private bool IsTrimmedClose(int i) =>
        i < source.Length && IsSpace(source[i]) && source.AsSpan(i + 1).StartsWith("-" + Close);

    private (GoTemplatePart, int) Failed(GoTemplatePartKind kind, int start, int end, string error) =>
        (Part(kind, start, end) with { Error = error }, end);

    private GoTemplatePart Part(GoTemplatePartKind kind, int start, int end)
    {
        var line = lineStarts.BinarySearch(start);
        line = line >= 0 ? line : ~line - 1;
        return new GoTemplatePart(kind, source[start..end], line + 1, start - lineStarts[line] + 1);
    }

    private static List<int> FindLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsNameStart(char c) => char.IsLetter(c) || c == '_';
}
