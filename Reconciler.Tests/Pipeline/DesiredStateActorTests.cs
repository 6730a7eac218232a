using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.State;

using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Pipeline;

public sealed class DesiredStateActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly KeyPrefix Apps = new("/apps/a");
    private static readonly KeyPrefix Other = new("/apps/b");

    public DesiredStateActorTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Nothing_renders_before_the_first_full_read_and_the_first_render_is_not_delayed()
    {
        var renderer = CreateTestProbe();
        var state = StateActor(Quiet(200, 2000), renderer);

        renderer.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        state.Tell(Snapshot(7, ("/apps/a/1", "one")));

        var request = renderer.ExpectMsg<RenderRequested>();
        Assert.Equal(7, request.State.Revision);
        Assert.Equal<string>(["/apps/a/1"], request.Change.Added);
    }

    [Fact]
    public void A_change_renders_once_the_quiet_period_has_passed()
    {
        var renderer = CreateTestProbe();
        var state = Started(Quiet(200, 2000), renderer);

        state.Tell(Put("/apps/a/2", "two", 8));
        Armed(state);
        Clock.Advance(TimeSpan.FromMilliseconds(199));
        renderer.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var request = renderer.ExpectMsg<RenderRequested>();
        Assert.Equal("two", request.State.Keys["/apps/a/2"]);
        Assert.Equal<string>(["/apps/a/2"], request.Change.Added);
    }

    [Fact]
    public void A_burst_collapses_into_one_render_with_every_change()
    {
        var renderer = CreateTestProbe();
        var state = Started(Quiet(200, 2000), renderer);

        for (var i = 0; i < 20; i++)
        {
            state.Tell(Put($"/apps/a/n{i}", $"v{i}", 10 + i));
            Armed(state);
            Clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        renderer.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Clock.Advance(TimeSpan.FromMilliseconds(150));
        var request = renderer.ExpectMsg<RenderRequested>();
        Assert.Equal(20, request.Change.Added.Length);
        Assert.Equal(29, request.State.Revision);
        renderer.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_steady_trickle_still_renders_after_max()
    {
        var renderer = CreateTestProbe();
        var state = Started(Quiet(200, 1000), renderer);

        for (var i = 0; i < 9; i++)
        {
            state.Tell(Put($"/apps/a/n{i}", "v", 10 + i));
            Armed(state);
            Clock.Advance(TimeSpan.FromMilliseconds(100));
            renderer.ExpectNoMsg(TimeSpan.Zero);
        }

        state.Tell(Put("/apps/a/last", "v", 30));
        Armed(state);
        Clock.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(10, renderer.ExpectMsg<RenderRequested>().Change.Added.Length);
    }

    [Fact]
    public void Quiet_zero_renders_every_batch_at_once_folding_in_those_already_waiting()
    {
        var renderer = CreateTestProbe();
        var state = Started(Quiet(0, 0), renderer);

        state.Tell(Put("/apps/a/2", "two", 8));
        state.Tell(Put("/apps/a/3", "three", 9));

        // one render per batch, or one for both when the second was in the mailbox before the first was handed on
        var renders = new List<RenderRequested> { renderer.ExpectMsg<RenderRequested>() };
        while (renders[^1].State.Revision != 9)
        {
            renders.Add(renderer.ExpectMsg<RenderRequested>());
        }

        Assert.InRange(renders.Count, 1, 2);
        Assert.Equal<string>(["/apps/a/2", "/apps/a/3"], renders.SelectMany(r => r.Change.Added));
        renderer.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Templates_sharing_a_reload_command_handed_one_change_share_one_batch_and_the_others_none()
    {
        var (a, b, c) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var reloadHaproxy = Quiet(0, 0);
        var state = Sys.ActorOf(DesiredStateActor.Props(
            [
                (Template("a", Apps, reloadHaproxy) with { ReloadCommand = "reload haproxy" }, a.Ref),
                (Template("b", Other, reloadHaproxy) with { ReloadCommand = "reload haproxy" }, b.Ref),
                (Template("c", Apps, reloadHaproxy) with { ReloadCommand = "reload other" }, c.Ref),
            ],
            TimeSpan.FromSeconds(30),
            NullLogger.Instance));

        state.Tell(new SnapshotLoaded(new KeySnapshot(new Dictionary<string, string>(), 5), [Apps, Other]));

        var (ra, rb, rc) = (a.ExpectMsg<RenderRequested>(), b.ExpectMsg<RenderRequested>(), c.ExpectMsg<RenderRequested>());
        Assert.NotNull(ra.Batch);
        Assert.Same(ra.Batch, rb.Batch);
        Assert.Equal(["a", "b"], ra.Batch.Templates.Order());
        Assert.Null(rc.Batch); // alone with its command
    }

    [Fact]
    public void Only_templates_whose_keys_changed_are_rendered()
    {
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        var state = Sys.ActorOf(DesiredStateActor.Props(
            [(Template("a", Apps, Quiet(0, 0)), a.Ref), (Template("b", Other, Quiet(0, 0)), b.Ref)],
            TimeSpan.FromSeconds(30), NullLogger.Instance));
        state.Tell(new SnapshotLoaded(new KeySnapshot(new Dictionary<string, string>(), 5), [Apps, Other]));
        a.ExpectMsg<RenderRequested>();
        b.ExpectMsg<RenderRequested>();

        state.Tell(Put("/apps/a/1", "x", 6));

        Assert.Equal<string>(["/apps/a/1"], a.ExpectMsg<RenderRequested>().Change.Added);
        b.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void An_unchanged_value_renders_nothing()
    {
        var renderer = CreateTestProbe();
        var state = Started(Quiet(0, 0), renderer);

        state.Tell(Put("/apps/a/1", "one", 9));

        renderer.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void The_cursor_follows_each_prefix_for_a_restarted_watcher()
    {
        var renderer = CreateTestProbe();
        var state = Started(Quiet(0, 0), renderer);

        state.Tell(Put("/apps/a/9", "x", 42));
        state.Tell(GetWatchCursor.Instance);

        var cursor = ExpectMsg<WatchCursor>();
        Assert.True(cursor.HasSnapshot);
        Assert.Equal(42, cursor.Revisions[Apps]);
    }

    [Fact]
    public void A_reread_after_compaction_folds_in_the_difference()
    {
        var renderer = CreateTestProbe();
        var state = Started(Quiet(0, 0), renderer);

        state.Tell(Snapshot(50, ("/apps/a/new", "n")));

        var request = renderer.ExpectMsg<RenderRequested>();
        Assert.Equal<string>(["/apps/a/new"], request.Change.Added);
        Assert.Equal<string>(["/apps/a/1"], request.Change.Removed);
        Assert.Equal(50, request.State.Revision);
    }

    private static DebounceSettings Quiet(int quietMs, int maxMs) => new(TimeSpan.FromMilliseconds(quietMs), TimeSpan.FromMilliseconds(maxMs));

    private static TemplateDefinition Template(string name, KeyPrefix prefix, DebounceSettings debounce) =>
        new(name, "src", $"/tmp/{name}", [prefix], UnixFileMode.UserRead, "", "", "", "", debounce, ImmutableDictionary<string, string>.Empty, false, ShrinkGuard.Off);

    private static SnapshotLoaded Snapshot(long revision, params (string Key, string Value)[] keys) =>
        new(new KeySnapshot(keys.ToDictionary(k => k.Key, k => k.Value), revision), [Apps]);

    private static KeysChanged Put(string key, string value, long revision) =>
        new(new WatchBatch(Apps, [KeyEvent.Put(key, value, revision)], revision));

    private IActorRef StateActor(DebounceSettings debounce, TestProbe renderer) =>
        Sys.ActorOf(DesiredStateActor.Props([(Template("a", Apps, debounce), renderer.Ref)], TimeSpan.FromSeconds(30), NullLogger.Instance, new SchedulerTimeProvider(Clock)));

    /// <summary>A state actor past its first render of /apps/a/1 = one at revision 7.</summary>
    private IActorRef Started(DebounceSettings debounce, TestProbe renderer)
    {
        var state = StateActor(debounce, renderer);
        state.Tell(Snapshot(7, ("/apps/a/1", "one")));
        renderer.ExpectMsg<RenderRequested>();
        return state;
    }

    /// <summary>A round trip, so the actor has handled everything sent before and armed its timer.</summary>
    private void Armed(IActorRef state)
    {
        state.Tell(GetWatchCursor.Instance);
        ExpectMsg<WatchCursor>();
    }
}
