using Akka.Actor;
using Reconciler.Actors.Output;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Pipeline;

public sealed class ReloaderActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reconciler-reload-").FullName;

    public ReloaderActorTests() => IgnoreMessages<ReloadPending>();

    void IDisposable.Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        base.Dispose();
    }

    [Fact]
    public void Requests_arriving_while_a_reload_runs_coalesce_into_one_more_run()
    {
        var gate = Path.Combine(_dir, "gate");
        var runs = Path.Combine(_dir, "runs");
        // the first run waits until the test has queued the others, so coalescing is deterministic
        var command = $"echo run >> '{runs}'; while [ ! -e '{gate}' ]; do sleep 0.01; done";
        var reloader = Sys.ActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromSeconds(20)));
        var requesters = Enumerable.Range(0, 5).Select(_ => Requester()).ToList();

        reloader.Tell(new ReloadRequested("t", command), requesters[0].Ref);
        AwaitCondition(() => File.Exists(runs));
        foreach (var requester in requesters.Skip(1))
        {
            reloader.Tell(new ReloadRequested("t", command), requester.Ref);
        }

        File.WriteAllText(gate, "");

        foreach (var requester in requesters)
        {
            Assert.True(requester.ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10)).Result.Succeeded);
        }

        Assert.Equal(2, File.ReadAllLines(runs).Length);
    }

    [Fact]
    public void A_changed_command_timeout_applies_to_the_next_run()
    {
        var reloader = Sys.ActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromMinutes(5)));

        reloader.Tell(new ReloaderActor.CommandTimeoutChanged(TimeSpan.FromMilliseconds(300)));
        reloader.Tell(new ReloadRequested("t", "sleep 60"));

        var result = ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10)).Result;
        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Different_commands_run_one_at_a_time_in_order()
    {
        var log = Path.Combine(_dir, "log");
        var reloader = Sys.ActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromSeconds(20)));

        reloader.Tell(new ReloadRequested("a", $"echo a-start >> '{log}'; sleep 0.2; echo a-end >> '{log}'"));
        reloader.Tell(new ReloadRequested("b", $"echo b >> '{log}'"));

        ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10));
        ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10));
        Assert.Equal(["a-start", "a-end", "b"], File.ReadAllLines(log));
    }

    [Fact]
    public void A_failing_reload_reports_exit_code_and_output()
    {
        var reloader = Sys.ActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromSeconds(20)));

        reloader.Tell(new ReloadRequested("t", "echo 'no such service' >&2; exit 5"));

        var result = ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10)).Result;
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("no such service", result.Output);
    }

    [Fact]
    public void A_reload_that_hangs_is_killed_at_the_timeout()
    {
        var reloader = Sys.ActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromMilliseconds(300)));

        reloader.Tell(new ReloadRequested("t", "sleep 30"));

        var result = ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10)).Result;
        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Each_waiting_requester_hears_when_a_run_starts()
    {
        var gate = Path.Combine(_dir, "gate");
        var reloader = Sys.ActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromSeconds(20)));
        var first = CreateTestProbe();
        var queued = CreateTestProbe();

        reloader.Tell(new ReloadRequested("a", $"while [ ! -e '{gate}' ]; do sleep 0.01; done"), first.Ref);
        Assert.Equal(TimeSpan.FromSeconds(20), first.ExpectMsg<ReloadPending>(TimeSpan.FromSeconds(10)).Timeout);
        reloader.Tell(new ReloadRequested("b", "true"), queued.Ref);
        File.WriteAllText(gate, "");

        first.ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10));
        queued.ExpectMsg<ReloadPending>(TimeSpan.FromSeconds(10)); // b starts
        queued.ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_restarted_reloader_runs_the_requests_it_held_and_drops_the_killed_runs_result()
    {
        var gate = Path.Combine(_dir, "gate");
        var runs = Path.Combine(_dir, "runs");
        var held = $"echo run >> '{runs}'; while [ ! -e '{gate}' ]; do sleep 0.01; done";
        var restarting = new OneForOneStrategy(_ => Directive.Restart);
        var reloader = ChildActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromSeconds(20)), "reloader", restarting);
        var running = Requester();
        var queued = Requester();
        reloader.Tell(new ReloadRequested("a", held), running.Ref);
        AwaitCondition(() => File.Exists(runs));
        reloader.Tell(new ReloadRequested("b", "true"), queued.Ref);

        reloader.Tell(Kill.Instance); // a failure: the supervisor restarts it, which kills the running command

        AwaitCondition(() => File.ReadAllLines(runs).Length == 2, TimeSpan.FromSeconds(10)); // run again by the new instance
        running.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the killed run's (cancelled) result went nowhere
        File.WriteAllText(gate, "");
        Assert.True(running.ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10)).Result.Succeeded);
        Assert.True(queued.ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10)).Result.Succeeded);
    }

    [Fact]
    public void A_runtime_change_past_its_bound_is_cancelled_and_falls_back_and_the_queue_moves_on()
    {
        var reloader = Sys.ActorOf(ReloaderActor.Props(new CommandRunner(), TimeSpan.FromSeconds(20)));
        var applying = Requester();
        var queued = Requester();
        var cancelled = new TaskCompletionSource();

        // a change that would never finish on its own: only its token ends it
        reloader.Tell(
            new RuntimeApplyRequested(
                "t",
                async token =>
                {
                    await using var registration = token.Register(() => cancelled.TrySetResult());
                    await Task.Delay(Timeout.Infinite, token);
                    return RuntimeApplyResult.Done(1, TimeSpan.Zero);
                },
                TimeSpan.FromMilliseconds(300)),
            applying.Ref);
        reloader.Tell(new ReloadRequested("u", "true"), queued.Ref);

        var result = applying.ExpectMsg<RuntimeApplyCompleted>(TimeSpan.FromSeconds(10)).Result;
        Assert.False(result.Applied);
        Assert.Equal("no result within 0.3s", result.Reason);
        Assert.True(cancelled.Task.IsCompleted);
        Assert.True(queued.ExpectMsg<ReloadCompleted>(TimeSpan.FromSeconds(10)).Result.Succeeded);
    }

    private Akka.TestKit.TestProbe Requester()
    {
        var probe = CreateTestProbe();
        probe.IgnoreMessages<ReloadPending>();
        return probe;
    }
}
