using System.Collections.Frozen;
using System.Globalization;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Confd;

/// <summary>
/// Converts one Go pipeline (<c>getv "/x" | toUpper</c>, <c>eq (len $list) 0</c>, <c>.Key</c>) into a Scriban
/// expression. Go passes a piped value as the <em>last</em> argument of the next command, Scriban as the first,
/// so a pipe into a command with arguments becomes a call with the value appended.
/// </summary>
internal sealed class GoPipelineConverter(IReadOnlyList<GoToken> tokens, string? dot, GoScope scope)
{
    /// <summary>confd's functions as <see cref="TemplateFunctions"/> registers them, without the converter's own helpers.</summary>
    private static readonly FrozenSet<string> ConfdFunctions =
        new TemplateFunctions(DesiredState.Empty).Keys.Except(TemplateFunctions.GoTemplateHelpers).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>confd functions that return a string.</summary>
    private static readonly FrozenSet<string> StringFunctions = FrozenSet.Create(
        StringComparer.Ordinal,
        "getv", "getenv", "base", "dir", "join", "toUpper", "toLower", "replace", "trimSuffix", "base64Encode", "base64Decode");

    /// <summary>confd functions that return a list of strings.</summary>
    private static readonly FrozenSet<string> StringListFunctions = FrozenSet.Create(
        StringComparer.Ordinal,
        "getvs", "ls", "lsdir", "split", "lookupIP", "lookupIPV4", "lookupIPV6", "sortByLength");

    /// <summary>confd functions that return a list.</summary>
    private static readonly FrozenSet<string> ListFunctions = FrozenSet.Create(
        StringComparer.Ordinal,
        "getvs", "gets", "ls", "lsdir", "split", "seq", "jsonArray", "lookupIP", "lookupIPV4", "lookupIPV6", "lookupSRV", "reverse", "sortByLength", "sortKVByLength");

    /// <summary>confd functions that return a bool, so a condition on them needs no <c>isTrue</c>.</summary>
    private static readonly FrozenSet<string> BooleanFunctions =
        FrozenSet.Create(StringComparer.Ordinal, "exists", "contains", "fileExists", "parseBool");

    private int position;

    /// <exception cref="UnconvertibleConstructException">A construct Scriban has no equivalent for, or invalid Go.</exception>
    public ScribanExpression Convert()
    {
        if (tokens.Count == 0)
        {
            throw new UnconvertibleConstructException("missing value in action");
        }

        var pipeline = Pipeline();
        return position < tokens.Count ? throw Unexpected(tokens[position]) : pipeline;
    }

    private ScribanExpression Pipeline()
    {
        var value = Command(piped: null);
        while (Peek() is { Kind: GoTokenKind.Pipe })
        {
            position++;
            value = Command(value);
        }

        return value;
    }

    private ScribanExpression Command(ScribanExpression? piped)
    {
        var head = Peek() ?? throw new UnconvertibleConstructException("missing command after |");
        if (IsFunctionName(head))
        {
            position++;
            RejectFieldOf(head);
            var arguments = new List<ScribanExpression>();
            while (!AtCommandEnd())
            {
                arguments.Add(Argument());
            }

            return Call(head.Value, arguments, piped);
        }

        var value = Operand();
        if (!AtCommandEnd())
        {
            throw new UnconvertibleConstructException(head.Kind is GoTokenKind.Field or GoTokenKind.Variable
                ? $"{head.Value} with arguments is a Go method call, which cannot be converted"
                : $"{head.Value} is not a function and cannot take arguments");
        }

        return piped is null
            ? value
            : throw new UnconvertibleConstructException($"cannot pipe into {head.Value}: only a function takes a piped value");
    }

    /// <summary>An argument; a function name alone is a call without arguments, as in Go.</summary>
    private ScribanExpression Argument()
    {
        var token = Peek()!;
        if (!IsFunctionName(token))
        {
            return Operand();
        }

        position++;
        RejectFieldOf(token);
        return Call(token.Value, [], piped: null);
    }

    private ScribanExpression Operand()
    {
        var token = Next();
        var term = token.Kind switch
        {
            GoTokenKind.Identifier when token.Value is "true" or "false" => ScribanExpression.Atom(token.Value, isBoolean: true),
            GoTokenKind.Identifier when token.Value == "nil" => ScribanExpression.Atom("null"),
            GoTokenKind.Dot => ScribanExpression.Atom(dot ?? "null") with { IsString = scope.Current.DotIsString },
            GoTokenKind.Field => ScribanExpression.Atom(FieldOfDot(token)) with
            {
                IsString = scope.Current.DotIsEntry && token.Value is ".Key" or ".Value" && !IsFollowedByField(token),
            },
            GoTokenKind.Variable => ScribanExpression.Atom(Variable(token)),
            GoTokenKind.String => ScribanExpression.String(token.Value),
            GoTokenKind.Number => ScribanExpression.Atom(Number(token)),
            GoTokenKind.LeftParen => Parenthesized(),
            GoTokenKind.Char => throw new UnconvertibleConstructException($"character constant {token.Value} cannot be converted; use a string"),
            _ => throw Unexpected(token),
        };

        // .Key.Sub, $x.Key, (json $v).host: fields written right after their term
        var text = term.Text;
        for (var last = tokens[position - 1]; Peek() is { Kind: GoTokenKind.Field } field && last.IsFollowedDirectlyBy(field); last = field)
        {
            position++;
            text += field.Value;
        }

        return text == term.Text ? term : ScribanExpression.Atom(text);
    }

    private ScribanExpression Parenthesized()
    {
        var inner = Pipeline();
        if (Peek() is not { Kind: GoTokenKind.RightParen })
        {
            throw new UnconvertibleConstructException("unclosed left parenthesis");
        }

        position++;
        return inner with { Text = $"({inner.Text})", Kind = ScribanExpressionKind.Atom, StringLiteral = null, IsCallOnLiterals = false };
    }

    private static ScribanExpression Call(string name, List<ScribanExpression> arguments, ScribanExpression? piped)
    {
        List<ScribanExpression> all = piped is null ? arguments : [.. arguments, piped];
        return name switch
        {
            "eq" => Equal(all),
            "ne" => Compare(all, "!="),
            "lt" => Compare(all, "<"),
            "le" => Compare(all, "<="),
            "gt" => Compare(all, ">"),
            "ge" => Compare(all, ">="),
            "and" => Logical(all, "&&"),
            "or" => Logical(all, "||"),
            "not" => ScribanExpression.Operation("!" + Single(name, all).AsCondition.AsOperand, isBoolean: true),
            "len" => new ScribanExpression($"goLen {Single(name, all).AsOperand}", ScribanExpressionKind.Call),
            "index" => Index(all),
            "printf" => Printf(all),
            "print" => Helper("goSprint", all) with { IsString = true },
            "println" => Helper("goSprintln", all) with { IsString = true },
            "html" or "js" or "urlquery" or "slice" or "call" => throw new UnconvertibleConstructException($"Go's {name} function cannot be converted"),
            "datetime" => throw new UnconvertibleConstructException(
                "datetime cannot be converted: Go prints a time with its monotonic clock reading and formats it with its own layouts"),
            _ when !ConfdFunctions.Contains(name) => throw new UnconvertibleConstructException($"function \"{name}\" is not one of the confd functions Reconciler provides"),
            _ when piped is not null && arguments.Count == 0 => new ScribanExpression($"{piped.AsValue} | {name}", ScribanExpressionKind.Pipe, BooleanFunctions.Contains(name))
            {
                IsString = StringFunctions.Contains(name),
                IsList = ListFunctions.Contains(name),
                IsStringList = StringListFunctions.Contains(name),
                IsEntryList = name is "gets" or "sortKVByLength",
            },
            _ => Helper(name, all) with
            {
                IsBoolean = BooleanFunctions.Contains(name),
                IsString = StringFunctions.Contains(name),
                IsList = ListFunctions.Contains(name),
                IsStringList = StringListFunctions.Contains(name),
                IsEntryList = name is "gets" or "sortKVByLength",
                IsCallOnLiterals = all.All(argument => argument.StringLiteral is not null),
            },
        };
    }

    private static ScribanExpression Helper(string name, List<ScribanExpression> arguments) =>
        new(string.Join(' ', [name, .. arguments.Select(argument => argument.AsOperand)]), ScribanExpressionKind.Call);

    /// <summary>Go's printf runs as Go's (<see cref="GoValueFormat"/>): its verbs depend on the values' types, known only at render time.</summary>
    private static ScribanExpression Printf(List<ScribanExpression> arguments) =>
        arguments.Count == 0
            ? throw new UnconvertibleConstructException("printf needs a format")
            : Helper("goPrintf", arguments) with { IsString = true };

    /// <summary>Go's eq takes several: <c>eq a b c</c> is a == b || a == c.</summary>
    private static ScribanExpression Equal(List<ScribanExpression> arguments)
    {
        if (arguments.Count < 2)
        {
            throw new UnconvertibleConstructException("eq needs at least two arguments");
        }

        var first = arguments[0].AsOperand;
        return ScribanExpression.Operation(
            string.Join(" || ", arguments.Skip(1).Select(other => $"{first} == {other.AsOperand}")),
            isBoolean: true);
    }

    private static ScribanExpression Compare(List<ScribanExpression> arguments, string comparison) =>
        arguments.Count == 2
            ? ScribanExpression.Operation($"{arguments[0].AsOperand} {comparison} {arguments[1].AsOperand}", isBoolean: true)
            : throw new UnconvertibleConstructException($"comparison {comparison} needs exactly two arguments");

    /// <summary>
    /// Go's and/or return the operand that decided (<c>or (getv "/x" "") "default"</c> is a default value) and stop
    /// at it: <c>isTrue a ? a : b</c> for or, <c>isTrue a ? b : a</c> for and. Tested by an if, the plain
    /// <c>||</c>/<c>&amp;&amp;</c> of the truths says the same.
    /// </summary>
    private static ScribanExpression Logical(List<ScribanExpression> arguments, string logical)
    {
        if (arguments.Count == 0)
        {
            throw new UnconvertibleConstructException($"{(logical == "&&" ? "and" : "or")} needs arguments");
        }

        var value = arguments[^1];
        foreach (var operand in arguments.SkipLast(1).Reverse())
        {
            var (whenTrue, whenFalse) = logical == "||" ? (operand, value) : (value, operand);
            value = ScribanExpression.Operation($"{operand.AsCondition.AsOperand} ? {whenTrue.AsOperand} : {whenFalse.AsOperand}") with
            {
                IsBoolean = operand.IsBoolean && value.IsBoolean,
                IsString = operand.IsString && value.IsString,
            };
        }

        return arguments.Count == 1 ? value : value with
        {
            Condition = ScribanExpression.Operation(string.Join($" {logical} ", arguments.Select(a => a.AsCondition.AsOperand)), isBoolean: true),
        };
    }

    /// <summary>Go's <c>index x 1 2</c> is x[1][2], with Go's rules for strings (a byte), lists (in range) and maps.</summary>
    private static ScribanExpression Index(List<ScribanExpression> arguments) =>
        arguments.Count == 0
            ? throw new UnconvertibleConstructException("index needs arguments")
            : Helper("goIndex", arguments);

    private static ScribanExpression Single(string function, List<ScribanExpression> arguments) =>
        arguments.Count == 1 ? arguments[0] : throw new UnconvertibleConstructException($"{function} takes exactly one argument");

    /// <summary>
    /// <c>.Field</c> of dot; outside range and with, dot is confd's template data, nil (so <c>{{.}}</c> is null,
    /// printed <c>&lt;no value&gt;</c>), and confd fails on any field of it.
    /// </summary>
    private string FieldOfDot(GoToken field) =>
        dot is null
            ? throw new UnconvertibleConstructException($"{field.Value} outside {{{{range}}}} and {{{{with}}}} is a field of confd's template data, which is nil: confd fails on it too")
            : dot + field.Value;

    private string Variable(GoToken token)
    {
        if (token.Value == "$")
        {
            // confd executes every template with nil data: $ is nil wherever it appears
            return Peek() is { Kind: GoTokenKind.Field } field && token.IsFollowedDirectlyBy(field)
                ? throw new UnconvertibleConstructException($"${field.Value}: confd's template data is nil, so Go fails on any field of $")
                : "null";
        }

        return scope.Resolve(token.Value);
    }

    /// <summary>Decimal integers and floats; hex, octal, binary, '_' separators and imaginary numbers are not converted.</summary>
    private static string Number(GoToken token)
    {
        // a negative literal in parentheses: Scriban reads "f x -1" as a subtraction from the call
        if (long.TryParse(token.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer < 0 ? $"({integer.ToString(CultureInfo.InvariantCulture)})" : integer.ToString(CultureInfo.InvariantCulture);
        }

        if (!double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) || token.Value.Contains('_'))
        {
            throw new UnconvertibleConstructException($"number {token.Value} cannot be converted; write it in decimal");
        }

        // "R" writes 3.0 as 3, which Scriban would read as an integer: Go's constant is a float64
        var text = real.ToString("R", CultureInfo.InvariantCulture);
        text = text.Contains('.') || text.Contains('E') ? text : text + ".0";
        return real < 0 ? $"({text})" : text;
    }

    /// <summary><c>datetime.Format "…"</c> calls a Go method on the result, which Scriban cannot.</summary>
    private void RejectFieldOf(GoToken function)
    {
        if (Peek() is { Kind: GoTokenKind.Field } field && function.IsFollowedDirectlyBy(field))
        {
            throw new UnconvertibleConstructException($"{function.Value}{field.Value}: Go methods and fields of a function's result cannot be converted");
        }
    }

    private bool IsFollowedByField(GoToken token) => Peek() is { Kind: GoTokenKind.Field } next && token.IsFollowedDirectlyBy(next);

    private static bool IsFunctionName(GoToken token) =>
        token.Kind == GoTokenKind.Identifier && token.Value is not ("true" or "false" or "nil");

    private bool AtCommandEnd() => Peek() is null or { Kind: GoTokenKind.Pipe or GoTokenKind.RightParen };

    private GoToken? Peek() => position < tokens.Count ? tokens[position] : null;

    private GoToken Next() => position < tokens.Count ? tokens[position++] : throw new UnconvertibleConstructException("missing operand");

    private static UnconvertibleConstructException Unexpected(GoToken token) => new($"unexpected {token.Value} in pipeline");
}
