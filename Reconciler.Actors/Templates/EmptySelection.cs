using Reconciler.Actors.Display;

namespace Reconciler.Actors.Templates;

/// <summary>
/// A key selection in a template (<c>getvs</c>, <c>gets</c>, <c>ls</c>, <c>lsdir</c>, <c>instances</c>,
/// <c>mapEntries</c>) that matched no key: an empty pool from a typo looks exactly like a pool with no instances.
/// </summary>
/// <param name="Function">The template function that made the selection.</param>
/// <param name="Pattern">The pattern or path as the template wrote it.</param>
/// <param name="Line">The template line of the call, 1-based.</param>
/// <param name="Scope">The full key (confd's prefix included) every key it could select starts with.</param>
/// <param name="Hint">A close pattern that would select keys, and why, when one is found.</param>
public sealed record EmptySelection(string Function, string Pattern, int Line, string Scope, string? Hint)
{
    public string PrintablePattern => PrintableText.ShortOf(Pattern);
}
