using System.Collections.Immutable;

namespace Reconciler.Actors.State;

/// <summary>
/// The desired key/value state: the fold of the backend's event log up to <see cref="Revision"/>.
/// Immutable, so one instance is shared by every renderer without copying.
/// </summary>
/// <remarks>
/// Key-ordered lookups and value-sorted views are built lazily, once per state, and derived from the nearest earlier
/// state that built them by patching only the keys changed since (<see cref="SortedEntries"/>, <see cref="SortedValueView"/>):
/// a change at 100,000 keys then costs array copies, not a tree walk and a sort of every selected value.
/// </remarks>
public sealed class DesiredState
{
    public static readonly DesiredState Empty = new(ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal), 0);

    /// <summary>Views not asked for in this many generations are dropped rather than carried to the next state.</summary>
    private const long ViewLifetime = 256;

    private readonly Lock sync = new();
    private readonly long generation;
    private readonly Dictionary<string, SortedValueView> valueViews = new(StringComparer.Ordinal);

    // Dropped once this state's entries are built, so no state keeps a chain of its predecessors alive. Read without
    // the lock (the state actor derives a state while a renderer may be building this one's entries): one reference
    // swapped whole, and a stale read only means deriving from an older, still correct, ancestor or building afresh.
    private volatile Lineage? lineage;
    private volatile KeyValuePair<string, string>[]? sortedEntries;

    private DesiredState(ImmutableSortedDictionary<string, string> keys, long revision)
    {
        Keys = keys;
        Revision = revision;
    }

    private DesiredState(ImmutableSortedDictionary<string, string> keys, long revision, DesiredState parent, StateChange change)
        : this(keys, revision)
    {
        generation = parent.generation + 1;
        lineage = parent.LineageFor(change, keys.Count);
    }

    public ImmutableSortedDictionary<string, string> Keys { get; }

    public long Revision { get; }

    public int Count => Keys.Count;

    public static DesiredState From(IEnumerable<KeyValuePair<string, string>> keys, long revision) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, keys), revision);

    public bool TryGetValue(string key, out string value) => Keys.TryGetValue(key, out value!);

    /// <summary>Keys equal to <paramref name="prefix"/> or under it (segment boundary), in key order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Under(string prefix)
    {
        var keyPrefix = new KeyPrefix(prefix);
        return StartingWith(keyPrefix.Value).Where(kv => keyPrefix.Covers(kv.Key));
    }

    /// <summary>How many keys <see cref="Under"/> returns, without visiting them.</summary>
    public int CountUnder(string prefix)
    {
        var keyPrefix = new KeyPrefix(prefix);
        return keyPrefix.IsWholeKeySpace
            ? Count
            : (Keys.ContainsKey(keyPrefix.Value) ? 1 : 0) + SortedEntries.CountStartingWith(Entries(), keyPrefix.Value + "/");
    }

    /// <summary>Entries whose key starts with <paramref name="prefix"/> (plain string prefix), in ordinal key order.</summary>
    public IEnumerable<KeyValuePair<string, string>> StartingWith(string prefix) => SortedEntries.StartingWith(Entries(), prefix);

    /// <summary>
    /// The values of the keys that start with <paramref name="keyStart"/> and that <paramref name="selects"/> accepts, in
    /// ordinal value order. <paramref name="viewName"/> names that selection: the same name must always mean the same one.
    /// The array is shared: do not change it.
    /// </summary>
    public string[] SortedValues(string viewName, string keyStart, Func<string, bool> selects)
    {
        var entries = Entries();
        lock (sync)
        {
            if (!valueViews.TryGetValue(viewName, out var view))
            {
                view = SortedValueView.Build(entries, keyStart, selects, generation);
                valueViews[viewName] = view;
            }

            view.LastUsed = generation;
            return view.Values;
        }
    }

    /// <summary>Applies events in order; returns the new state and what changed (a put of an equal value is no change).</summary>
    public (DesiredState State, StateChange Change) Apply(IReadOnlyList<KeyEvent> events, long revision)
    {
        var builder = Keys.ToBuilder();
        var before = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (!before.ContainsKey(e.Key))
            {
                before[e.Key] = builder.TryGetValue(e.Key, out var old) ? old : null;
            }

            if (e.Kind == KeyEventKind.Put)
            {
                builder[e.Key] = e.Value;
            }
            else
            {
                builder.Remove(e.Key);
            }
        }

        var change = Compare(before, builder);
        var newRevision = Math.Max(Revision, revision);
        return change.IsEmpty && newRevision == Revision
            ? (this, change)
            : (new DesiredState(change.IsEmpty ? Keys : builder.ToImmutable(), newRevision, this, change), change);
    }

    /// <summary>
    /// This state replaced by <paramref name="target"/>, a full re-read (first snapshot, file backend reload,
    /// compaction, a restored etcd), and what changed. The revision is the read's, even a lower one: after a
    /// restore it is etcd's new history that counts. From an empty state, the first read of a daemon, it is
    /// built directly (every key is an addition), not through <see cref="DifferenceTo"/> and <see cref="Apply"/>:
    /// at 100,000 keys their events and bookkeeping cost some 40 MB.
    /// </summary>
    public (DesiredState State, StateChange Change) Reloaded(IReadOnlyDictionary<string, string> target, long revision)
    {
        if (!Keys.IsEmpty)
        {
            var (applied, change) = Apply(DifferenceTo(target, revision), revision);
            return (applied.Revision == revision ? applied : new DesiredState(applied.Keys, revision, applied, StateChange.None), change);
        }

        var state = From(target, revision);
        return (state, new StateChange([.. state.Keys.Keys], [], []));
    }

    /// <summary>
    /// The events that turn this state into <paramref name="target"/>: used after a full re-read
    /// (first snapshot, file backend reload, compaction) so the fold never has a gap.
    /// </summary>
    public IReadOnlyList<KeyEvent> DifferenceTo(IReadOnlyDictionary<string, string> target, long revision)
    {
        var events = new List<KeyEvent>();
        foreach (var (key, value) in target)
        {
            if (!Keys.TryGetValue(key, out var current) || current != value)
            {
                events.Add(KeyEvent.Put(key, value, revision));
            }
        }

        foreach (var key in Keys.Keys)
        {
            if (!target.ContainsKey(key))
            {
                events.Add(KeyEvent.Delete(key, revision));
            }
        }

        return events;
    }

    /// <summary>The lineage of a state made from this one by <paramref name="change"/>; null when it is to build afresh.</summary>
    private Lineage? LineageFor(StateChange change, int count)
    {
        string[] changed = [.. change.Keys.Order(StringComparer.Ordinal)];
        var known = sortedEntries is not null ? new Lineage(this, []) : lineage;
        var touched = known is null ? [] : SortedEntries.Union(known.Touched, changed);

        // Past a quarter of the keys, patching costs about what building afresh does.
        return known is null || touched.Length > Math.Max(64, count / 4) ? null : new Lineage(known.Ancestor, touched);
    }

    private KeyValuePair<string, string>[] Entries()
    {
        if (sortedEntries is { } built)
        {
            return built;
        }

        lock (sync)
        {
            if (sortedEntries is null)
            {
                BuildFromAncestor();
            }

            return sortedEntries!;
        }
    }

    private void BuildFromAncestor()
    {
        if (lineage is not { } known || known.Ancestor.sortedEntries is not { } earlier)
        {
            sortedEntries = SortedEntries.Build(Keys, Keys.Count);
            lineage = null;
            return;
        }

        var (ancestor, touchedSinceAncestor) = known;

        lock (ancestor.sync)
        {
            foreach (var (name, view) in ancestor.valueViews)
            {
                if (generation - view.LastUsed <= ViewLifetime)
                {
                    valueViews[name] = view.Derive(touchedSinceAncestor, ancestor.Keys, Keys);
                }
            }
        }

        // Published last, so a state whose entries are seen built has its views derived as well.
        // Arrays and views are never changed once made: with nothing touched they are shared as they are.
        sortedEntries = touchedSinceAncestor.Length == 0 ? earlier : SortedEntries.Derive(earlier, touchedSinceAncestor, Keys, Keys.Count);
        lineage = null;
    }

    /// <summary>The nearest earlier state with built entries, and the keys changed since (ordinal, unique).</summary>
    private sealed record Lineage(DesiredState Ancestor, string[] Touched);

    private static StateChange Compare(Dictionary<string, string?> before, ImmutableSortedDictionary<string, string>.Builder after)
    {
        var added = ImmutableArray.CreateBuilder<string>();
        var changed = ImmutableArray.CreateBuilder<string>();
        var removed = ImmutableArray.CreateBuilder<string>();
        foreach (var (key, old) in before.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var exists = after.TryGetValue(key, out var now);
            if (old is null && exists)
            {
                added.Add(key);
            }
            else if (old is not null && !exists)
            {
                removed.Add(key);
            }
            else if (old is not null && old != now)
            {
                changed.Add(key);
            }
        }

        return new StateChange(added.ToImmutable(), changed.ToImmutable(), removed.ToImmutable());
    }
}
