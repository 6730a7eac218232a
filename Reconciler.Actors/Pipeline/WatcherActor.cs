using System.Collections.Immutable;
using Akka.Actor;
using Akka.Pattern;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Streams the backend's changes to the desired-state actor: a full read that yields revision R,
/// then one watch stream with a watch per prefix from R+1 (or from the cursor the state actor kept, after a restart),
/// so nothing between read and watch is lost. Any failure stops it; its backoff supervisor
/// starts a fresh one, which resumes from the last revision seen.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor: _watches is cancelled and disposed in PostStop")]
internal sealed class WatcherActor : ReceiveActor
{
    private readonly IKeyValueSource _source;
    private readonly IActorRef _desiredState;
    private readonly ImmutableArray<KeyPrefix> _prefixes;
    private readonly ILogger _logger;
    private CancellationTokenSource _watches = new();
    private int _generation;
    private bool _reachable;

    public WatcherActor(IKeyValueSource source, IActorRef desiredState, ImmutableArray<KeyPrefix> prefixes, ILogger logger)
    {
        _source = source;
        _desiredState = desiredState;
        _prefixes = prefixes;
        _logger = logger;

        Receive<WatchCursor>(OnCursor);
        Receive<SnapshotRead>(OnSnapshot);
        Receive<BatchReceived>(b => b.Generation == _generation, OnBatch);
        Receive<WatchFailed>(f => f.Generation == _generation, OnWatchFailed);
        Receive<BatchReceived>(_ => { });
        Receive<WatchFailed>(_ => { });
        Receive<Status.Failure>(f => Fail(f.Cause));
    }

    public static Props Props(IKeyValueSource source, IActorRef desiredState, ImmutableArray<KeyPrefix> prefixes, ILogger logger) =>
        Akka.Actor.Props.Create(() => new WatcherActor(source, desiredState, prefixes, logger));

    /// <summary>
    /// The watcher under its backoff supervisor: a stopped watcher (backend down) is started again
    /// after min-backoff, doubling up to max-backoff, reset after a healthy max-backoff.
    /// </summary>
    public static Props Supervised(Props watcher, SupervisionSettings supervision) =>
        BackoffSupervisor.Props(
            Backoff.OnStop(watcher, "watcher", supervision.MinBackoff, supervision.MaxBackoff, supervision.RandomFactor, maxNrOfRetries: -1)
                .WithAutoReset(supervision.MaxBackoff));

    protected override void PreStart() =>
        _desiredState.Ask<WatchCursor>(GetWatchCursor.Instance, TimeSpan.FromSeconds(10)).PipeTo(Self);

    protected override void PostStop()
    {
        _watches.Cancel();
        _watches.Dispose();
    }

    private void OnCursor(WatchCursor cursor)
    {
        if (cursor.HasSnapshot)
        {
            _logger.LogInformation("Resuming watch on {Backend} from revision {Revision}", _source.Description, cursor.Revisions.Values.Min() + 1);
            StartWatches(prefix => cursor.Revisions.GetValueOrDefault(prefix, cursor.Revisions.Values.Min()));
        }
        else
        {
            ReadSnapshot();
        }
    }

    private void ReadSnapshot() =>
        _source.ReadAsync(_prefixes, _watches.Token).PipeTo(Self, success: snapshot => new SnapshotRead(snapshot));

    private void OnSnapshot(SnapshotRead read)
    {
        _logger.LogInformation(
            "Read {Count} keys under {Prefixes} from {Backend} at revision {Revision}",
            read.Snapshot.Keys.Count,
            string.Join(", ", _prefixes),
            _source.Description,
            read.Snapshot.Revision);
        if (read.Snapshot.Refused.Count > 0)
        {
            _logger.LogWarning("{Refused} keys under {Prefixes} not stored: over reconciler.backend's limits", read.Snapshot.Refused.Count, string.Join(", ", _prefixes));
        }

        _desiredState.Tell(new SnapshotLoaded(read.Snapshot, _prefixes));
        StartWatches(_ => read.Snapshot.Revision);
        Reachable();
    }

    private void OnBatch(BatchReceived received)
    {
        // the first (empty) batch of a watch says the stream is established
        Reachable();
        if (received.Batch.Events.Count > 0)
        {
            _desiredState.Tell(new KeysChanged(received.Batch));
        }
    }

    private void Reachable()
    {
        if (!_reachable)
        {
            _reachable = true;
            PublishStatus(reachable: true, reason: null);
        }
    }

    private void OnWatchFailed(WatchFailed failed)
    {
        switch (failed.Cause)
        {
            case RevisionCompactedException compacted:
                // The events we missed are gone: re-read everything; the state actor folds in the difference.
                _logger.LogWarning(
                    "Watch on {Prefixes} fell behind compaction at revision {Revision}; re-reading all keys",
                    string.Join(", ", _prefixes),
                    compacted.CompactRevision);
                ReadAgain();
                break;
            case HistoryChangedException changed:
                // A restored or recreated etcd: the revisions the state holds mean nothing there any more.
                _logger.LogWarning("etcd's history changed ({Reason}); re-reading all keys", changed.Message);
                ReadAgain();
                break;
            default:
                Fail(failed.Cause);
                break;
        }
    }

    private void ReadAgain()
    {
        RestartGeneration();
        ReadSnapshot();
    }

    private void StartWatches(Func<KeyPrefix, long> lastSeen)
    {
        RestartGeneration();
        var self = Self;
        var generation = _generation;
        var token = _watches.Token;
        var fromRevisions = _prefixes.Distinct().ToDictionary(prefix => prefix, prefix => lastSeen(prefix) + 1);
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var batch in _source.WatchAsync(fromRevisions, token))
                    {
                        self.Tell(new BatchReceived(generation, batch));
                    }

                    self.Tell(new WatchFailed(generation, new BackendUnavailableException("watch stream ended")));
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // this generation of watches was stopped on purpose
                }
                catch (Exception e)
                {
                    self.Tell(new WatchFailed(generation, e));
                }
            },
            CancellationToken.None);
    }

    /// <summary>Stops the running watches; their late messages carry an old generation and are dropped.</summary>
    private void RestartGeneration()
    {
        _watches.Cancel();
        _watches.Dispose();
        _watches = new CancellationTokenSource();
        _generation++;
    }

    /// <summary>
    /// An expected outage, not a bug: one warning, then stop; the backoff supervisor starts a
    /// fresh watcher later (a thrown exception would add Akka's error line with a stack trace).
    /// </summary>
    private void Fail(Exception cause)
    {
        _logger.LogWarning("Backend unavailable, retrying with backoff: {Reason}", cause.Message);
        if (cause.InnerException is { } inner)
        {
            _logger.LogDebug("Backend unavailable, in the client library's words: {Cause}", inner.Message.ReplaceLineEndings(" "));
        }

        PublishStatus(reachable: false, reason: cause.Message, noLeader: cause is BackendUnavailableException { NoLeader: true });
        Context.Stop(Self);
    }

    private void PublishStatus(bool reachable, string? reason, bool noLeader = false) =>
        Context.System.EventStream.Publish(new BackendStatusChanged(_source.Description, reachable, reason, noLeader));

    private sealed record SnapshotRead(KeySnapshot Snapshot);

    private sealed record BatchReceived(int Generation, WatchBatch Batch);

    private sealed record WatchFailed(int Generation, Exception Cause);
}
