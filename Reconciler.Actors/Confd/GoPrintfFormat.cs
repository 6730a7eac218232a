using System.Text;

namespace Reconciler.Actors.Confd;

/// <summary>
/// Go's <c>printf</c> for the verbs confd templates use to build strings — <c>%s</c>, <c>%v</c>, <c>%d</c> and
/// <c>%%</c>, without flags or widths — turned into a Scriban string concatenation.
/// </summary>
internal static class GoPrintfFormat
{
    /// <exception cref="UnconvertibleConstructException">The format is not a literal, uses other verbs, or does not match the arguments.</exception>
    public static ScribanExpression Concatenate(IReadOnlyList<ScribanExpression> arguments)
    {
        if (arguments.Count == 0 || arguments[0].StringLiteral is not { } format)
        {
            throw new UnconvertibleConstructException("printf needs a literal format string as its first argument");
        }

        var pieces = new List<string>();
        var literal = new StringBuilder();
        var next = 1;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                literal.Append(format[i]);
                continue;
            }

            var verb = i + 1 < format.Length ? format[++i] : '\0';
            if (verb == '%')
            {
                literal.Append('%');
                continue;
            }

            if (verb is not ('s' or 'v' or 'd'))
            {
                throw new UnconvertibleConstructException(
                    $"printf \"{format}\": only %s, %v, %d and %% without flags or width can be converted");
            }

            if (next >= arguments.Count)
            {
                throw new UnconvertibleConstructException($"printf \"{format}\": more verbs than arguments");
            }

            if (literal.Length > 0)
            {
                pieces.Add(ScribanExpression.String(literal.ToString()).Text);
                literal.Clear();
            }

            pieces.Add(arguments[next++].AsOperand);
        }

        if (next < arguments.Count)
        {
            throw new UnconvertibleConstructException($"printf \"{format}\": more arguments than verbs");
        }

        if (literal.Length > 0 || pieces.Count == 0)
        {
            pieces.Add(ScribanExpression.String(literal.ToString()).Text);
        }

        if (pieces.Count == 1 && next == 1)
        {
            return ScribanExpression.String(literal.ToString());
        }

        // Scriban's + concatenates once its left side is a string; start with one so two numbers are not added.
        if (!pieces[0].StartsWith('"'))
        {
            pieces.Insert(0, "\"\"");
        }

        return ScribanExpression.Operation(string.Join(" + ", pieces));
    }
}
