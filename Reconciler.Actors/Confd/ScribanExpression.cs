using System.Globalization;
using System.Text;

namespace Reconciler.Actors.Confd;

/// <summary>A converted Go operand, command or pipeline as Scriban text.</summary>
/// <param name="IsBoolean">Known to be true/false, so a condition on it needs no <c>isTrue</c>.</param>
internal sealed record ScribanExpression(string Text, ScribanExpressionKind Kind, bool IsBoolean = false)
{
    /// <summary>The text when the expression came from a Go string literal (printf needs its format).</summary>
    public string? StringLiteral { get; init; }

    /// <summary>As a function argument or an operand of an operator.</summary>
    public string AsOperand => Kind == ScribanExpressionKind.Atom ? Text : $"({Text})";

    /// <summary>Known to be a string, which Scriban prints as Go does, so printing it needs no <c>goPrint</c>.</summary>
    public bool IsString { get; init; }

    /// <summary>Known to be a list, which Scriban's for visits as Go's range does, so it needs no <c>goRange</c>.</summary>
    public bool IsList { get; init; }

    /// <summary>Known to be a list of strings: its elements print without <c>goPrint</c>.</summary>
    public bool IsStringList { get; init; }

    /// <summary>Known to be a list of get/gets entries: their .Key and .Value print without <c>goPrint</c>.</summary>
    public bool IsEntryList { get; init; }

    /// <summary>A cheaper test of the same truth, where it differs from <c>isTrue</c> of the value (Go's and/or).</summary>
    public ScribanExpression? Condition { get; init; }

    /// <summary>A call whose arguments are all string literals, such as <c>getvs "/x/*"</c>.</summary>
    public bool IsCallOnLiterals { get; init; }

    /// <summary>As an assigned value or the input of a pipe.</summary>
    public string AsValue => Kind == ScribanExpressionKind.Operation ? $"({Text})" : Text;

    /// <summary>
    /// As the list of a for loop. Scriban's for does not parse every call there (<c>for x in split item.Value ","</c>
    /// fails on the dot), so only an atom or a call on literals goes bare.
    /// </summary>
    public string AsLoopSource => Kind == ScribanExpressionKind.Atom || IsCallOnLiterals ? Text : $"({Text})";

    /// <summary>With Go's truth (<see cref="Templates.TemplateFunctions"/>' <c>isTrue</c>) unless already a boolean.</summary>
    public ScribanExpression AsCondition =>
        Condition ?? (IsBoolean ? this : new ScribanExpression($"isTrue {AsOperand}", ScribanExpressionKind.Call, IsBoolean: true));

    public static ScribanExpression Atom(string text, bool isBoolean = false) => new(text, ScribanExpressionKind.Atom, isBoolean);

    public static ScribanExpression String(string value) => Atom(Quote(value)) with { StringLiteral = value, IsString = true };

    public static ScribanExpression Operation(string text, bool isBoolean = false) => new(text, ScribanExpressionKind.Operation, isBoolean);

    /// <summary>A Scriban double-quoted string holding exactly <paramref name="value"/>.</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append(@"\\"),
                '\n' => quoted.Append(@"\n"),
                '\r' => quoted.Append(@"\r"),
                '\t' => quoted.Append(@"\t"),
                _ when char.IsControl(c) => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }
}
