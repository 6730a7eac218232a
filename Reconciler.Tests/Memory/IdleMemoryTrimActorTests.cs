using Akka.Actor;
using Akka.TestKit;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.State;
using Reconciler.Host.Memory;

namespace Reconciler.Tests.Memory;

/// <summary>The idle trim on virtual time, with a counter standing in for the garbage collection.</summary>
public sealed class IdleMemoryTrimActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(5);
    private int _trims;

    public IdleMemoryTrimActorTests()
        : base("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private int Trims => Volatile.Read(ref _trims);

    [Fact]
    public async Task Trims_once_after_the_start_and_once_after_each_quiet_period_that_follows_work()
    {
        var trimmer = Sys.ActorOf(IdleMemoryTrimActor.Props(Idle, () => Interlocked.Increment(ref _trims)));
        await Settled(trimmer);
        Clock.Advance(Idle - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, Trims);

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        AwaitCondition(() => Trims == 1, Slow);
        Clock.Advance(Idle * 3);
        Assert.Equal(1, Trims); // nothing happened since: nothing to give back

        trimmer.Tell(Reconciled());
        await Settled(trimmer);
        Clock.Advance(Idle / 2);
        trimmer.Tell(Reconciled()); // still busy: the quiet period starts over
        await Settled(trimmer);
        Clock.Advance(Idle - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Trims);

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        AwaitCondition(() => Trims == 2, Slow);
    }

    /// <summary>Returns once the actor handled everything sent before (Identify is answered in mailbox order).</summary>
    private static Task<ActorIdentity> Settled(IActorRef actor) => actor.Ask<ActorIdentity>(new Identify(null), Slow);

    private static TemplateReconciled Reconciled() =>
        new(new ReconcileOutcome("t", "/tmp/t", 1, StateChange.None, ReconcileStatus.Written, 1, TimeSpan.Zero, null, null), null);
}
