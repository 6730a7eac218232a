using System.Collections.Immutable;
using System.Text;

namespace Reconciler.Actors.Confd;

/// <summary>
/// Converts a confd template (Go text/template with confd's functions) into Reconciler's Scriban dialect:
/// <c>{{range getvs "/x/*"}}{{.}}{{end}}</c> becomes <c>{{ for item in getvs "/x/*" }}{{ item }}{{ end }}</c>.
/// Text is kept byte for byte, trim markers keep their meaning (Scriban's <c>{{-</c>/<c>-}}</c> trim exactly like
/// Go's), and every action stays on its line, so errors in the converted template point at the Go source.
/// What has no faithful Scriban equivalent is left as written and listed in the result's problems.
/// </summary>
public static class GoTemplateConverter
{
    public static GoTemplateConversion Convert(string goTemplate)
    {
        var problems = ImmutableArray.CreateBuilder<ConversionProblem>();
        var actions = new GoActionConverter();
        var scriban = new StringBuilder(goTemplate.Length + (goTemplate.Length / 4));
        foreach (var part in new GoTemplateLexer(goTemplate).Split())
        {
            try
            {
                scriban.Append(part.Kind switch
                {
                    _ when part.Error is not null => throw new UnconvertibleConstructException(part.Error),
                    GoTemplatePartKind.Text => Text(part.Source),
                    GoTemplatePartKind.Comment => Block(part, Comment(part.Text)),
                    _ => Block(part, actions.Convert(part)),
                });
            }
            catch (UnconvertibleConstructException e)
            {
                problems.Add(new ConversionProblem(part.Line, part.Column, e.Message));
                scriban.Append(part.Source);
            }
        }

        problems.AddRange(actions.UnclosedBlocks.Select(block =>
            new ConversionProblem(block.Line, block.Column, $"{{{{{block.Keyword}}}}} is never closed by {{{{end}}}}")));
        return new GoTemplateConversion(scriban.ToString(), problems.ToImmutable());
    }

    /// <summary>Go text is literal; in Scriban only <c>{%{</c> (its raw-text opener) would not be, so that is printed from a string.</summary>
    private static string Text(string text) => text.Replace("{%{", "{{ \"{%{\" }}", StringComparison.Ordinal);

    /// <summary>
    /// The Scriban block for a Go action or comment: same trim markers, and as many line breaks as the Go one
    /// spanned (a line break inside a Scriban block only separates statements).
    /// </summary>
    private static string Block(GoTemplatePart part, string code)
    {
        var before = part.TrimBefore ? "{{- " : "{{ ";
        var after = part.TrimAfter ? " -}}" : " }}";
        var lineBreaks = part.LineBreaks - code.Count(c => c == '\n');
        return before + code + new string('\n', Math.Max(0, lineBreaks)) + after;
    }

    /// <summary>A Go comment as Scriban <c>#</c> comments, one per line; <c>}}</c> would end the block early, so it is broken up.</summary>
    private static string Comment(string text) =>
        string.Join('\n', text.Split('\n').Select(line => "# " + line.TrimEnd('\r').Replace("}}", "} }", StringComparison.Ordinal)));
}
