using Reconciler.Actors.State;

namespace Reconciler.Actors.Backends;

/// <summary>A full read of the watched prefixes at one revision.</summary>
public sealed record KeySnapshot(IReadOnlyDictionary<string, string> Keys, long Revision);

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

    /// <summary>
    /// Streams the changes under <paramref name="prefix"/> from <paramref name="fromRevision"/> on, in order,
    /// until cancelled. The first batch is empty: it says the stream is established. Ends by throwing
    /// when the stream breaks.
    /// </summary>
    /// <exception cref="BackendUnavailableException">the stream broke or could not be opened.</exception>
    /// <exception cref="RevisionCompactedException">events from <paramref name="fromRevision"/> are no longer kept.</exception>
    IAsyncEnumerable<WatchBatch> WatchAsync(KeyPrefix prefix, long fromRevision, CancellationToken cancellationToken);
}
