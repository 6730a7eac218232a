namespace Reconciler.Actors.Confd;

/// <summary>
/// An open <c>{{if}}</c>, <c>{{range}}</c> or <c>{{with}}</c> (or the template itself): where it started, the Scriban
/// expression that Go's dot stands for inside it, and the Go variables declared in it.
/// </summary>
internal sealed class GoBlock(GoBlockKind kind, string? dot, string? outerDot, int line, int column)
{
    public GoBlockKind Kind => kind;

    /// <summary>What <c>.</c> means here; null where confd's dot is its empty template data.</summary>
    public string? Dot { get; private set; } = dot;

    public int Line => line;

    public int Column => column;

    public HashSet<string> Variables { get; } = new(StringComparer.Ordinal);

    public string Keyword => kind.ToString().ToLowerInvariant();

    /// <summary>In the <c>{{else}}</c> of a range or with, dot is the outer dot again.</summary>
    public void EnterElse()
    {
        if (kind is GoBlockKind.Range or GoBlockKind.With)
        {
            Dot = outerDot;
        }
    }
}
