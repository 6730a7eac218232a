namespace Reconciler.Actors.Backends;

/// <summary>The backend cannot be reached or the stream broke; the watcher backs off and resumes.</summary>
public sealed class BackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>etcd answered, but without a leader: nothing can change while it lasts, nor be read.</summary>
    public bool NoLeader { get; init; }
}

/// <summary>A read at a past revision cannot be answered: compacted away, not reached yet, or a backend without history.</summary>
public sealed class RevisionUnavailableException(string message) : Exception(message);

/// <summary>The revision a watch asked for is gone; the watcher re-reads everything and emits the difference.</summary>
internal sealed class RevisionCompactedException(long compactRevision)
    : Exception($"revision compacted up to {compactRevision}")
{
    public long CompactRevision { get; } = compactRevision;
}

/// <summary>
/// etcd's history is not the one the state was folded from (a restore from a snapshot, a wiped and recreated
/// cluster): the watcher re-reads everything and emits the difference, as after a compaction.
/// </summary>
internal sealed class HistoryChangedException(string message) : Exception(message);
