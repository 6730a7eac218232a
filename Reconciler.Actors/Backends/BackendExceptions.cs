namespace Reconciler.Actors.Backends;

/// <summary>The backend cannot be reached or the stream broke; the watcher backs off and resumes.</summary>
public sealed class BackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The revision a watch asked for is gone; the watcher re-reads everything and emits the difference.</summary>
public sealed class RevisionCompactedException(long compactRevision)
    : Exception($"revision compacted up to {compactRevision}")
{
    public long CompactRevision { get; } = compactRevision;
}
