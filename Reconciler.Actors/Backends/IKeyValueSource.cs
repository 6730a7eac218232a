using Reconciler.Actors.State;

namespace Reconciler.Actors.Backends;

/// <summary>A full read of the watched prefixes at one revision: the keys within <see cref="KeyLimits"/>, and what was refused.</summary>
public sealed record KeySnapshot(IReadOnlyDictionary<string, string> Keys, long Revision)
{
    public RefusalTally Refused { get; init; } = new();
}

/// <summary>Ordered events for one watched prefix, complete up to <paramref name="Revision"/>.</summary>
public sealed record WatchBatch(KeyPrefix Prefix, IReadOnlyList<KeyEvent> Events, long Revision);

/// <summary>
/// Where the desired state comes from (etcd, or a local keys file for demos).
/// Small on purpose: actors depend on this, not on a client library, so tests can fake it.
/// </summary>
public interface IKeyValueSource : IAsyncDisposable
{
    /// <summary>Where the keys come from, for logs (never contains secrets).</summary>
    string Description { get; }

    /// <summary>Reads every key under the prefixes at one consistent revision.</summary>
    /// <exception cref="BackendUnavailableException">the backend cannot be reached.</exception>
    Task<KeySnapshot> ReadAsync(IReadOnlyList<KeyPrefix> prefixes, CancellationToken cancellationToken);

    /// <summary>Reads every key under the prefixes as they were at <paramref name="revision"/> (etcd keeps history until it is compacted).</summary>
    /// <exception cref="RevisionUnavailableException">the revision is compacted, in the future, or the backend keeps no history.</exception>
    /// <exception cref="BackendUnavailableException">the backend cannot be reached.</exception>
    Task<KeySnapshot> ReadAtAsync(IReadOnlyList<KeyPrefix> prefixes, long revision, CancellationToken cancellationToken) =>
        throw new RevisionUnavailableException($"{Description} keeps no history: only etcd can be read at a revision");

    /// <summary>
    /// Streams the changes under each prefix from its revision in <paramref name="fromRevisions"/> on, in order per
    /// prefix, on one stream, until cancelled. Each prefix's first batch is empty: it says its watch is
    /// established. Ends by throwing when the stream breaks.
    /// </summary>
    /// <exception cref="BackendUnavailableException">the stream broke, could not be opened, or stopped answering.</exception>
    /// <exception cref="RevisionCompactedException">events from a requested revision are no longer kept.</exception>
    /// <exception cref="HistoryChangedException">the backend's history is not the one those revisions came from.</exception>
    IAsyncEnumerable<WatchBatch> WatchAsync(IReadOnlyDictionary<KeyPrefix, long> fromRevisions, CancellationToken cancellationToken);
}
