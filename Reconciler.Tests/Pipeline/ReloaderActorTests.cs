using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Output;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Pipeline;

/// <summary>The reloader's contracts on virtual time, its commands faked: each run waits until the test ends it or the reloader kills it.</summary>
public sealed class ReloaderActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<FakeRun> _runs = new();

    public ReloaderActorTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Requests_arriving_while_a_reload_runs_coalesce_into_one_more_run()
    {
        var reloader = Reloader();
        var first = Request(reloader, "reload");
        var running = Started(1);
        var waiting = Enumerable.Range(0, 3).Select(_ => Request(reloader, "reload")).ToList();
        Settled(reloader);

        running.End();
        Assert.Equal(1, first.ExpectMsg<ReloadRun>(Wait).Templates);
        Started(2).End();

        var answers = waiting.Select(probe => probe.ExpectMsg<ReloadRun>(Wait)).ToList();
        Assert.All(answers, run => Assert.Equal((3, answers[0].Number, true), (run.Templates, run.Number, run.Result.Succeeded)));
        Assert.Equal(2, _runs.Count); // the running one predates the new files: one more run for the three
    }

    [Fact]
    public void A_batchs_reload_waits_for_a_template_that_needs_none_and_runs_once_when_it_arrived()
    {
        var reloader = Reloader();
        var batch = new ReloadBatch(["a", "b", "c"], TimeSpan.FromMinutes(1));
        reloader.Tell(new BatchOpened(batch));
        var a = Request(reloader, "reload", batch, "a");
        var b = Request(reloader, "reload", batch, "b");
        Settled(reloader);
        Assert.Empty(_runs); // c has not arrived

        reloader.Tell(new BatchArrived(batch, "c")); // c's file needed nothing
        Started(1).End();

        Assert.All(new[] { a, b }, probe => Assert.Equal(2, probe.ExpectMsg<ReloadRun>(Wait).Templates));
        Assert.Single(_runs);
    }

    [Fact]
    public void A_batch_whose_template_never_arrives_reloads_after_its_patience_and_holds_up_nothing_else()
    {
        var reloader = Reloader();
        var batch = new ReloadBatch(["a", "gone"], TimeSpan.FromMinutes(1));
        reloader.Tell(new BatchOpened(batch));
        var held = Request(reloader, "reload", batch, "a");
        var other = Request(reloader, "other");
        Started(1).End();
        Assert.Equal("other", _runs.Single().Command);
        other.ExpectMsg<ReloadRun>(Wait);

        Clock.Advance(TimeSpan.FromMinutes(1));

        Started(2).End();
        Assert.True(held.ExpectMsg<ReloadRun>(Wait).Result.Succeeded);
    }

    [Fact]
    public void Min_reload_interval_spaces_runs_of_one_command_and_holds_up_no_other()
    {
        var reloader = Reloader(minReloadInterval: TimeSpan.FromSeconds(10));
        Request(reloader, "reload");
        Started(1).End();
        var next = Request(reloader, "reload");
        var other = Request(reloader, "other");
        Started(2).End();
        other.ExpectMsg<ReloadRun>(Wait);

        Clock.Advance(TimeSpan.FromSeconds(9.9));
        Settled(reloader);
        Assert.Equal(2, _runs.Count);
        Clock.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal("reload", Started(3).Command);
        _runs.Last().End();
        next.ExpectMsg<ReloadRun>(Wait);
    }

    [Fact]
    public void A_reload_past_the_command_timeout_is_killed_and_reported_timed_out_and_the_next_one_runs()
    {
        var reloader = Reloader();
        var hung = Request(reloader, "hang");
        var run = Started(1);
        var after = Request(reloader, "after");

        Clock.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Settled(reloader);
        Assert.False(run.Killed);
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var result = hung.ExpectMsg<ReloadRun>(Wait).Result;
        Assert.True(run.Killed);
        Assert.Equal((true, false, false), (result.TimedOut, result.Cancelled, result.Succeeded));
        Started(2).End();
        Assert.True(after.ExpectMsg<ReloadRun>(Wait).Result.Succeeded);
    }

    [Fact]
    public void Crashing_mid_run_kills_the_run_answers_everyone_that_it_did_not_run_and_the_restarted_reloader_works()
    {
        var reloader = ChildActorOf(ReloaderActor.Props(Settings(TimeSpan.Zero)), new OneForOneStrategy(_ => Directive.Restart));
        var running = Request(reloader, "reload");
        var run = Started(1);
        var waiting = Request(reloader, "other");

        reloader.Tell(Kill.Instance);

        Assert.False(running.ExpectMsg<ReloadRun>(Wait).Result.Succeeded); // the dest's reload stays owed: its renderer retries
        Assert.Contains("restarted", waiting.ExpectMsg<ReloadRun>(Wait).Result.Output);
        AwaitCondition(() => run.Killed, Wait);
        var again = Request(reloader, "reload");
        Started(2).End();
        Assert.True(again.ExpectMsg<ReloadRun>(Wait).Result.Succeeded);
    }

    [Fact]
    public void A_drain_is_answered_at_once_when_idle_and_else_once_what_runs_and_waits_has_run()
    {
        var reloader = Reloader();
        var drainer = CreateTestProbe();
        reloader.Tell(Drain.Instance, drainer);
        drainer.ExpectMsg<Drained>(Wait);

        Request(reloader, "reload");
        var run = Started(1);
        Request(reloader, "other");
        reloader.Tell(Drain.Instance, drainer);
        Settled(reloader);
        run.End();
        Started(2);
        drainer.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _runs.Last().End();

        drainer.ExpectMsg<Drained>(Wait);
    }

    [Fact]
    public void A_runtime_change_waits_behind_a_running_reload_and_runs_after_it()
    {
        var reloader = Reloader();
        Request(reloader, "reload");
        var reload = Started(1);
        var changed = 0;
        var requester = CreateTestProbe();
        reloader.Tell(
            new RuntimeChangeRequested("runtime change of t", _ => { Interlocked.Increment(ref changed); return Task.FromResult(RuntimeApplyResult.Done(2, TimeSpan.Zero)); }, TimeSpan.FromSeconds(5)),
            requester);
        Settled(reloader);
        Assert.Equal(0, Volatile.Read(ref changed)); // no admin socket command while a reload runs

        reload.End();

        Assert.Equal(2, requester.ExpectMsg<RuntimeApplyResult>(Wait).Commands);
        Assert.Equal(1, Volatile.Read(ref changed));
    }

    private IActorRef Reloader(TimeSpan? minReloadInterval = null) => Sys.ActorOf(ReloaderActor.Props(Settings(minReloadInterval ?? TimeSpan.Zero)));

    private ReloaderSettings Settings(TimeSpan minReloadInterval) => new(Run, Timeout, minReloadInterval);

    private Task<CommandResult> Run(string command, CancellationToken token)
    {
        var run = new FakeRun(command, token);
        _runs.Enqueue(run);
        return run.Result;
    }

    private TestProbe Request(IActorRef reloader, string command, ReloadBatch? batch = null, string template = "t")
    {
        var probe = CreateTestProbe();
        reloader.Tell(new ReloadRequested(command, batch, template), probe);
        return probe;
    }

    /// <summary>The <paramref name="count"/>th run, once it started.</summary>
    private FakeRun Started(int count)
    {
        AwaitCondition(() => _runs.Count >= count, Wait);
        return _runs.ElementAt(count - 1);
    }

    /// <summary>A round trip through the reloader's mailbox: everything sent before was handled (timers armed).</summary>
    private void Settled(IActorRef reloader)
    {
        reloader.Tell(GetRendererProgress.Instance);
        ExpectMsg<RendererProgress>(Wait);
    }

    /// <summary>One run of a faked command: it ends when the test says, or is killed (its token cancelled) as the runner would kill it.</summary>
    private sealed class FakeRun
    {
        private readonly TaskCompletionSource<CommandResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FakeRun(string command, CancellationToken token)
        {
            Command = command;
            token.Register(() =>
            {
                Killed = true;
                _result.TrySetResult(new CommandResult(-1, string.Empty, TimeSpan.Zero, TimedOut: false, Cancelled: true));
            });
        }

        public string Command { get; }

        public bool Killed { get; private set; }

        public Task<CommandResult> Result => _result.Task;

        public void End() => _result.TrySetResult(new CommandResult(0, "ok", TimeSpan.Zero, TimedOut: false));
    }
}
