using System.Collections.Immutable;

namespace Reconciler.Actors.State;

/// <summary>
/// The desired key/value state: the fold of the backend's event log up to <see cref="Revision"/>.
/// Immutable, so one instance is shared by every renderer without copying.
/// </summary>
public sealed class DesiredState
{
    public static readonly DesiredState Empty = new(ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal), 0);

    private DesiredState(ImmutableSortedDictionary<string, string> keys, long revision)
    {
        Keys = keys;
        Revision = revision;
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
        return Keys.Where(kv => keyPrefix.Covers(kv.Key));
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
            : (new DesiredState(change.IsEmpty ? Keys : builder.ToImmutable(), newRevision), change);
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
            return (applied.Revision == revision ? applied : new DesiredState(applied.Keys, revision), change);
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
