using System.Collections.Immutable;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Quarantine;

/// <summary>
/// One template's quarantine: the keys of the last state whose file was applied (the last good file), and the keys
/// held out of the file since a check refused their change. A held key renders with its last good value (or not at
/// all when it was new) until it changes again (a put of another value, or a delete): then it is released and
/// renders as it is. Nothing here costs anything while no key is held but remembering the last good state, which
/// shares its nodes with the current one. Not thread-safe: its applier runs one apply at a time.
/// </summary>
internal sealed class KeyQuarantine
{
    private static readonly ImmutableSortedDictionary<string, string> NoKeys = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    private readonly Dictionary<string, HeldKey> _held = new(StringComparer.Ordinal);

    // null before the first apply of this process: then every key counts as new (a restarted daemon or --onetime
    // knows no earlier values, so a refused key is left out rather than set back)
    private ImmutableSortedDictionary<string, string>? _lastGood;

    public bool IsHolding => _held.Count > 0;

    /// <summary>The keys held out of the file now, in key order.</summary>
    public ImmutableArray<QuarantinedKey> Held => [.. _held.Values.Select(h => h.Key).OrderBy(k => k.Key, StringComparer.Ordinal)];

    /// <summary>
    /// <paramref name="state"/> as the file is to be rendered from: each held key that did not change since it was
    /// held set back to its last good value; each that changed released.
    /// </summary>
    public DesiredState Hold(DesiredState state)
    {
        if (_held.Count == 0)
        {
            return state;
        }

        foreach (var key in _held.Where(h => ValueIn(state.Keys, h.Key) != h.Value.Value).Select(h => h.Key).ToList())
        {
            _held.Remove(key);
        }

        return SetBack(state, _held.Keys);
    }

    /// <summary>The keys <paramref name="reads"/> covers whose value in <paramref name="state"/> is not the last good one, in ordinal order.</summary>
    public IReadOnlyList<string> ChangedSinceLastGood(DesiredState state, Func<string, bool> reads)
    {
        var changed = new List<string>();
        using var before = (_lastGood ?? NoKeys).GetEnumerator();
        using var after = state.Keys.GetEnumerator();
        var (hasBefore, hasAfter) = (before.MoveNext(), after.MoveNext());
        while (hasBefore || hasAfter)
        {
            var order = !hasBefore ? 1 : !hasAfter ? -1 : string.CompareOrdinal(before.Current.Key, after.Current.Key);
            var key = order <= 0 ? before.Current.Key : after.Current.Key;
            if ((order != 0 || before.Current.Value != after.Current.Value) && reads(key))
            {
                changed.Add(key);
            }

            if (order <= 0)
            {
                hasBefore = before.MoveNext();
            }

            if (order >= 0)
            {
                hasAfter = after.MoveNext();
            }
        }

        return changed;
    }

    /// <summary><paramref name="state"/> with each of <paramref name="keys"/> at its last good value, or removed where it had none.</summary>
    public DesiredState SetBack(DesiredState state, IEnumerable<string> keys)
    {
        var events = keys
            .Select(key => ValueIn(_lastGood ?? NoKeys, key) is { } good ? KeyEvent.Put(key, good, state.Revision) : KeyEvent.Delete(key, state.Revision))
            .ToList();
        return events.Count == 0 ? state : state.Apply(events, state.Revision).State;
    }

    /// <summary>A file rendered from <paramref name="rendered"/> is what dest holds: the last good state from now on.</summary>
    public void Applied(DesiredState rendered) => _lastGood = rendered.Keys;

    /// <summary>
    /// Holds exactly <paramref name="culprits"/> at their last good values, until their value in the registry changes
    /// from the one in <paramref name="state"/>; a key held before for the same value keeps its entry (it is not new).
    /// </summary>
    public void HoldOnly(IEnumerable<QuarantinedKey> culprits, DesiredState state)
    {
        var held = new Dictionary<string, HeldKey>(StringComparer.Ordinal);
        foreach (var culprit in culprits)
        {
            var value = ValueIn(state.Keys, culprit.Key);
            held[culprit.Key] = _held.TryGetValue(culprit.Key, out var before) && before.Value == value ? before : new HeldKey(culprit, value);
        }

        _held.Clear();
        foreach (var (key, entry) in held)
        {
            _held[key] = entry;
        }
    }

    private static string? ValueIn(ImmutableSortedDictionary<string, string> keys, string key) => keys.TryGetValue(key, out var value) ? value : null;

    /// <summary>A held key and the value (null: deleted) whose change was refused.</summary>
    private sealed record HeldKey(QuarantinedKey Key, string? Value);
}
