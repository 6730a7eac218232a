using System.Diagnostics;
using Akka.Actor;
using Reconciler.Actors.Scheduling;

namespace Reconciler.Tests.Scheduling;

/// <summary>An actor system on <see cref="TimerScheduler"/>, as the daemon runs: what Akka and the actors schedule arrives, once and on time.</summary>
public sealed class TimerSchedulerTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(5);

    public TimerSchedulerTests()
        : base($"akka.scheduler.implementation = \"{typeof(TimerScheduler).AssemblyQualifiedName}\"")
    {
    }

    [Fact]
    public void The_system_runs_on_it()
    {
        Assert.IsType<TimerScheduler>(Sys.Scheduler);
    }

    [Fact]
    public void A_message_scheduled_once_arrives_once_and_not_before_its_delay()
    {
        var clock = Stopwatch.StartNew();

        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(200), TestActor, "due", ActorRefs.NoSender);

        ExpectMsg("due", Slow);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"arrived after {clock.Elapsed}");
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_cancelled_entry_never_fires()
    {
        var entry = Sys.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromMilliseconds(100), TestActor, "cancelled", ActorRefs.NoSender);

        entry.Cancel();

        ExpectNoMsg(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public void A_repeated_entry_fires_until_it_is_cancelled()
    {
        var entry = Sys.Scheduler.ScheduleTellRepeatedlyCancelable(TimeSpan.Zero, TimeSpan.FromMilliseconds(50), TestActor, "tick", ActorRefs.NoSender);
        ExpectMsg("tick", Slow);
        ExpectMsg("tick", Slow);
        ExpectMsg("tick", Slow);

        entry.Cancel();

        ReceiveWhile(TimeSpan.FromMilliseconds(100), message => message); // one may have been on its way
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void An_actor_timer_started_again_fires_once_after_the_last_start()
    {
        var actor = Sys.ActorOf(Props.Create(() => new RestartingTimerActor(TestActor)));
        var clock = Stopwatch.StartNew();

        actor.Tell("start");
        actor.Tell("start");
        actor.Tell("start");

        ExpectMsg("fired", Slow);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"fired after {clock.Elapsed}");
        ExpectNoMsg(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public void Ask_timeouts_and_the_monotonic_clock_work_on_it()
    {
        var before = Sys.Scheduler.MonotonicClock;

        Assert.Throws<AskTimeoutException>(() => CreateTestProbe().Ref.Ask<string>("unanswered", TimeSpan.FromMilliseconds(100)).GetAwaiter().GetResult());

        Assert.True(Sys.Scheduler.MonotonicClock - before >= TimeSpan.FromMilliseconds(90));
    }

    /// <summary>Restarts one single timer of 150 ms on every "start"; tells the probe when it fires.</summary>
    private sealed class RestartingTimerActor : ReceiveActor, IWithTimers
    {
        public RestartingTimerActor(IActorRef probe)
        {
            Receive<string>(message => message == "start", _ => Timers.StartSingleTimer("t", "fire", TimeSpan.FromMilliseconds(150)));
            Receive<string>(message => message == "fire", _ => probe.Tell("fired"));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}
