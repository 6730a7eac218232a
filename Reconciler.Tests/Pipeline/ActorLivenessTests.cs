using Akka.Actor;
using Reconciler.Actors.Pipeline;

namespace Reconciler.Tests.Pipeline;

public sealed class ActorLivenessTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Actors_that_process_their_mailbox_answer()
    {
        var actors = new[] { Sys.ActorOf(Props.Create(() => new StuckActor()), "a"), Sys.ActorOf(Props.Create(() => new StuckActor()), "b") };

        Assert.Empty(await ActorLiveness.UnresponsiveAsync(actors, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_actor_stuck_in_a_handler_is_named_until_it_gets_going_again()
    {
        using var release = new ManualResetEventSlim();
        var stuck = Sys.ActorOf(Props.Create(() => new StuckActor()), "stuck");
        var fine = Sys.ActorOf(Props.Create(() => new StuckActor()), "fine");

        stuck.Tell(release);

        // long enough for a busy machine: the stuck actor stays stuck for 30 s
        Assert.Equal("stuck", Assert.Single(await ActorLiveness.UnresponsiveAsync([stuck, fine], TimeSpan.FromSeconds(2))));
        release.Set();
        Assert.Empty(await ActorLiveness.UnresponsiveAsync([stuck, fine], TimeSpan.FromSeconds(10)));
    }

    /// <summary>Blocks its thread on the event it is sent until the event is set: a wedged actor.</summary>
    private sealed class StuckActor : ReceiveActor
    {
        public StuckActor() => Receive<ManualResetEventSlim>(release => release.Wait(TimeSpan.FromSeconds(30)));
    }
}
