using System.Collections.Immutable;
using Akka.Actor;
using Akka.Pattern;
using Akka.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Pipeline;

/// <summary>The watcher against a fake backend, with a probe as the desired-state actor.</summary>
public sealed class WatcherActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly KeyPrefix A = new("/apps/a");
    private static readonly KeyPrefix B = new("/apps/b");
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly FakeKeyValueSource _source = new();
    private readonly TestProbe _state;
    private readonly TestProbe _status;
    private IActorRef _watcher = ActorRefs.Nobody;

    public WatcherActorTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
        _state = CreateTestProbe("state");
        _status = CreateTestProbe("status");
        Sys.EventStream.Subscribe(_status.Ref, typeof(BackendStatusChanged));
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void A_fresh_start_reads_everything_then_watches_each_prefix_from_the_next_revision()
    {
        _source.OnRead = _ => FakeKeyValueSource.Snapshot(41, ("/apps/a/1", "one"), ("/apps/b/2", "two"));
        Sys.ActorOf(WatcherProps());

        _state.ExpectMsg<GetWatchCursor>(Slow);
        Assert.Empty(_source.Reads);
        Assert.True(_source.NoNewWatch);
        _state.Reply(NoCursor());

        var loaded = _state.ExpectMsg<SnapshotLoaded>(Slow);
        Assert.Equal(41, loaded.Snapshot.Revision);
        Assert.Equal("one", loaded.Snapshot.Keys["/apps/a/1"]);
        Assert.Equal<KeyPrefix>([A, B], loaded.Prefixes);
        Assert.Equal<KeyPrefix>([A, B], Assert.Single(_source.Reads));

        var watches = _source.NextWatches(2);
        Assert.Equal(42, watches[A].FromRevision);
        Assert.Equal(42, watches[B].FromRevision);
        Assert.True(_status.ExpectMsg<BackendStatusChanged>(Slow).Reachable);
    }

    [Fact]
    public void Batches_are_forwarded_in_order()
    {
        var watches = FreshStart(revision: 10);

        var a1 = watches[A].Put("/apps/a/1", "x", 11);
        var b1 = watches[B].Put("/apps/b/1", "y", 12);
        var a2 = watches[A].Push(13, KeyEvent.Put("/apps/a/2", "z", 13), KeyEvent.Delete("/apps/a/1", 13));
        var a3 = watches[A].Put("/apps/a/1", "again", 14);

        var received = Enumerable.Range(0, 4).Select(_ => _state.ExpectMsg<KeysChanged>(Slow).Batch).ToList();
        Assert.Equal([a1, a2, a3], received.Where(b => b.Prefix == A));
        Assert.Equal([b1], received.Where(b => b.Prefix == B));
        _state.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_cursor_resumes_each_prefix_after_its_revision_without_a_read()
    {
        Sys.ActorOf(WatcherProps());

        _state.ExpectMsg<GetWatchCursor>(Slow);
        _state.Reply(Cursor((A, 10), (B, 12)));

        var watches = _source.NextWatches(2);
        Assert.Equal(11, watches[A].FromRevision);
        Assert.Equal(13, watches[B].FromRevision);
        Assert.Empty(_source.Reads);
        Assert.True(_status.ExpectMsg<BackendStatusChanged>(Slow).Reachable);
        _state.ExpectNoMsg(Quiet);

        var batch = watches[B].Put("/apps/b/x", "1", 13);
        Assert.Equal(batch, _state.ExpectMsg<KeysChanged>(Slow).Batch);
    }

    [Fact]
    public void A_prefix_missing_from_the_cursor_resumes_from_the_oldest_revision()
    {
        Sys.ActorOf(WatcherProps());

        _state.ExpectMsg<GetWatchCursor>(Slow);
        _state.Reply(Cursor((A, 10)));

        var watches = _source.NextWatches(2);
        Assert.Equal(11, watches[A].FromRevision);
        Assert.Equal(11, watches[B].FromRevision);
        Assert.Empty(_source.Reads);
    }

    [Fact]
    public void Compaction_reads_everything_again_and_drops_late_batches_of_the_old_watches()
    {
        _source.WatchesHonourCancellation = false; // old streams keep delivering until the watcher drops them
        var old = FreshStart(revision: 5);
        _source.OnRead = _ => FakeKeyValueSource.Snapshot(20, ("/apps/a/1", "fresh"));

        old[A].Fail(new RevisionCompactedException(15));

        var reloaded = _state.ExpectMsg<SnapshotLoaded>(Slow);
        Assert.Equal(20, reloaded.Snapshot.Revision);
        Assert.Equal<KeyPrefix>([A, B], reloaded.Prefixes);
        Assert.Equal(2, _source.Reads.Count);
        var now = _source.NextWatches(2);
        Assert.Equal(21, now[A].FromRevision);
        Assert.Equal(21, now[B].FromRevision);
        Assert.True(old[A].IsCancelled);
        Assert.True(old[B].IsCancelled);

        old[B].Put("/apps/b/late", "stale", 18);
        old[A].Put("/apps/a/late", "stale", 19);
        var current = now[A].Put("/apps/a/2", "new", 21);

        Assert.Equal(current, _state.ExpectMsg<KeysChanged>(Slow).Batch);
        _state.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_changed_history_reads_everything_again_like_a_compaction_without_reporting_an_outage()
    {
        var old = FreshStart(revision: 50);
        Assert.True(_status.ExpectMsg<BackendStatusChanged>(Slow).Reachable);
        _source.OnRead = _ => FakeKeyValueSource.Snapshot(7, ("/apps/a/1", "restored"));

        old[B].Fail(new HistoryChangedException("etcd is at revision 7, below revision 50 already seen"));

        var reloaded = _state.ExpectMsg<SnapshotLoaded>(Slow);
        Assert.Equal(7, reloaded.Snapshot.Revision);
        Assert.Equal("restored", reloaded.Snapshot.Keys["/apps/a/1"]);
        var now = _source.NextWatches(2);
        Assert.Equal(8, now[A].FromRevision);
        Assert.True(old[A].IsCancelled);
        _status.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void An_unavailable_backend_fails_the_watcher_and_is_published()
    {
        var watches = FreshStart(revision: 5);
        Assert.True(_status.ExpectMsg<BackendStatusChanged>(Slow).Reachable);

        watches[B].Fail(new BackendUnavailableException("connection refused"));

        ExpectTerminated(_watcher, Slow);
        var status = _status.ExpectMsg<BackendStatusChanged>(Slow);
        Assert.False(status.Reachable);
        Assert.Equal("fake backend", status.Backend);
        Assert.Equal("connection refused", status.Reason);
        AwaitCondition(() => watches[A].IsCancelled, Slow);
    }

    [Fact]
    public void A_failed_read_fails_the_watcher_and_is_published()
    {
        _source.OnRead = _ => throw new BackendUnavailableException("etcd down");
        var watcher = Watch(Sys.ActorOf(WatcherProps()));

        _state.ExpectMsg<GetWatchCursor>(Slow);
        _state.Reply(NoCursor());

        ExpectTerminated(watcher, Slow);
        var status = _status.ExpectMsg<BackendStatusChanged>(Slow);
        Assert.False(status.Reachable);
        Assert.Equal("etcd down", status.Reason);
        _state.ExpectNoMsg(Quiet);
        Assert.True(_source.NoNewWatch);
    }

    [Fact]
    public void A_watch_stream_that_ends_counts_as_unavailable()
    {
        var watches = FreshStart(revision: 5);

        watches[A].End();

        ExpectTerminated(_watcher, Slow);
        Assert.Contains(
            _status.ReceiveN(2, Slow).Cast<BackendStatusChanged>(),
            s => !s.Reachable && s.Reason == "watch stream ended");
    }

    [Fact]
    public void Any_other_watch_error_is_reported_as_unavailable()
    {
        var watches = FreshStart(revision: 5);

        watches[A].Fail(new InvalidOperationException("Status(StatusCode=\"Internal\")"));

        ExpectTerminated(_watcher, Slow);
        Assert.Contains(
            _status.ReceiveN(2, Slow).Cast<BackendStatusChanged>(),
            s => !s.Reachable && s.Reason!.Contains("Internal"));
    }

    [Fact]
    public void Under_its_backoff_supervisor_a_failed_watcher_is_started_again_only_after_min_backoff()
    {
        var supervisor = Sys.ActorOf(BackoffSupervisorProps(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)));
        _state.ExpectMsg<GetWatchCursor>(Slow);
        _state.Reply(Cursor((A, 10), (B, 10)));
        var watches = _source.NextWatches(2);

        watches[A].Fail(new BackendUnavailableException("connection refused"));
        Assert.Contains(_status.ReceiveN(2, Slow).Cast<BackendStatusChanged>(), s => !s.Reachable);
        AwaitChildStopped(supervisor);

        Clock.Advance(TimeSpan.FromMilliseconds(999));
        _state.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        _state.ExpectMsg<GetWatchCursor>(Slow);
        _state.Reply(Cursor((A, 17), (B, 10)));
        var resumed = _source.NextWatches(2);
        Assert.Equal(18, resumed[A].FromRevision);
        Assert.Equal(11, resumed[B].FromRevision);
        Assert.Empty(_source.Reads);

        // a second failure in a row waits twice as long
        resumed[B].Fail(new BackendUnavailableException("connection refused"));
        AwaitChildStopped(supervisor);
        Clock.Advance(TimeSpan.FromMilliseconds(1999));
        _state.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        _state.ExpectMsg<GetWatchCursor>(Slow);
    }

    private Props WatcherProps() => WatcherActor.Props(_source, _state.Ref, [A, B], NullLogger.Instance);

    /// <summary>As the pipeline supervises it, with no random spread.</summary>
    private Props BackoffSupervisorProps(TimeSpan min, TimeSpan max) =>
        WatcherActor.Supervised(WatcherProps(), new SupervisionSettings(min, max, RandomFactor: 0, MaxRestarts: 10, RestartWindow: TimeSpan.FromMinutes(1)));

    /// <summary>A started watcher past its first full read at <paramref name="revision"/>, with its two watches.</summary>
    private IReadOnlyDictionary<KeyPrefix, FakeWatch> FreshStart(long revision)
    {
        _source.OnRead = _ => FakeKeyValueSource.Snapshot(revision, ("/apps/a/1", "one"));
        _watcher = Watch(Sys.ActorOf(WatcherProps()));

        _state.ExpectMsg<GetWatchCursor>(Slow);
        _state.Reply(NoCursor());
        _state.ExpectMsg<SnapshotLoaded>(Slow);
        return _source.NextWatches(2);
    }

    /// <summary>The backoff supervisor handled its child's end, so the restart is scheduled.</summary>
    private void AwaitChildStopped(IActorRef supervisor) =>
        AwaitCondition(
            () =>
            {
                var probe = CreateTestProbe();
                supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, probe.Ref);
                return probe.ExpectMsg<BackoffSupervisor.CurrentChild>(Slow).Ref is null;
            },
            Slow);

    private static WatchCursor NoCursor() => new(ImmutableDictionary<KeyPrefix, long>.Empty);

    private static WatchCursor Cursor(params (KeyPrefix Prefix, long Revision)[] revisions) =>
        new(revisions.ToImmutableDictionary(r => r.Prefix, r => r.Revision));
}
