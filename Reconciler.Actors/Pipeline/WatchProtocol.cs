using System.Collections.Immutable;
using Reconciler.Actors.Backends;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>Watcher → state: a full read of every watched prefix (first start, or after compaction).</summary>
internal sealed record SnapshotLoaded(KeySnapshot Snapshot, ImmutableArray<KeyPrefix> Prefixes);

/// <summary>Watcher → state: ordered changes under one prefix.</summary>
internal sealed record KeysChanged(WatchBatch Batch);

/// <summary>Watcher → state: where should a (re)started watcher resume?</summary>
internal sealed record GetWatchCursor
{
    public static readonly GetWatchCursor Instance = new();
}

/// <summary>State → watcher: the last revision seen per prefix; empty before the first snapshot.</summary>
internal sealed record WatchCursor(ImmutableDictionary<KeyPrefix, long> Revisions)
{
    public bool HasSnapshot => !Revisions.IsEmpty;
}
