using System.Globalization;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Rendering;

/// <summary>An <see cref="EmptySelection"/> where it is news: the template's watched keys are not all empty.</summary>
/// <param name="File">The template file.</param>
/// <param name="Watched">The watched prefix the selection falls under; null when it falls under none of them.</param>
/// <param name="WatchedKeys">How many keys that prefix holds (all the template's prefixes, when it falls under none).</param>
public sealed record EmptySelectionNote(EmptySelection Selection, string File, KeyPrefix? Watched, int WatchedKeys)
{
    /// <summary>The notes for a render of <paramref name="keys"/> (holding <paramref name="entries"/> keys in all): none when they hold no key.</summary>
    public static IEnumerable<EmptySelectionNote> Of(IEnumerable<EmptySelection> selections, string file, IReadOnlyList<KeyPrefix> keys, DesiredState state, int entries) =>
        entries == 0
            ? []
            : selections.Distinct().Select(s => keys.FirstOrDefault(k => k.Covers(s.Scope) || (s.Scope.EndsWith('/') && k.Covers(s.Scope.TrimEnd('/')))) is { } prefix
                ? new EmptySelectionNote(s, file, prefix, state.CountUnder(prefix.Value))
                : new EmptySelectionNote(s, file, null, entries));

    public override string ToString()
    {
        var where = Watched is null
            ? string.Create(CultureInfo.InvariantCulture, $"it is outside the template's keys, which hold {WatchedKeys} keys")
            : string.Create(CultureInfo.InvariantCulture, $"{Watched} holds {WatchedKeys} keys");
        var hint = Selection.Hint is null ? string.Empty : $" ({Selection.Hint})";
        return $"{File}:{Selection.Line}: {Selection.Function} \"{Selection.PrintablePattern}\" selects no key, though {where}{hint}";
    }
}
