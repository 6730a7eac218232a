namespace Reconciler.Actors.Confd;

internal enum GoBlockKind
{
    /// <summary>The template itself, outside any block.</summary>
    Template,
    If,
    Range,
    With,
}
