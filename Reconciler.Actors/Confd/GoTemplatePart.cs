namespace Reconciler.Actors.Confd;

/// <summary>
/// A piece of a Go template: literal text, an action <c>{{ … }}</c> or a comment <c>{{/* … */}}</c>.
/// <see cref="Source"/> is the piece as written; for an action or comment <see cref="Tokens"/>/<see cref="Text"/>
/// hold its inside, and <see cref="TrimBefore"/>/<see cref="TrimAfter"/> its <c>{{- </c>/<c> -}}</c> markers.
/// </summary>
internal sealed record GoTemplatePart(GoTemplatePartKind Kind, string Source, int Line, int Column)
{
    public string Text { get; init; } = string.Empty;

    public IReadOnlyList<GoToken> Tokens { get; init; } = [];

    public bool TrimBefore { get; init; }

    public bool TrimAfter { get; init; }

    /// <summary>Why the piece could not even be read (an unclosed action, a bad string), else null.</summary>
    public string? Error { get; init; }

    /// <summary>Line breaks inside the piece; the converted piece keeps as many so later lines keep their numbers.</summary>
    public int LineBreaks => Source.Count(c => c == '\n');
}
