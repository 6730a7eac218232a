using System.Collections.Immutable;
using Akka.Actor;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Whether actors still process their mailboxes: each is sent Akka's built-in <see cref="Identify"/>, which an
/// actor answers in mailbox order, so one stuck in a handler or buried under a backlog does not answer in time.
/// </summary>
public static class ActorLiveness
{
    /// <summary>The names of the actors that did not answer within <paramref name="timeout"/>; empty when all did.</summary>
    public static async Task<ImmutableArray<string>> UnresponsiveAsync(IReadOnlyCollection<IActorRef> actors, TimeSpan timeout)
    {
        var answers = await Task.WhenAll(actors.Select(actor => AnswersAsync(actor, timeout)));
        return [.. actors.Zip(answers).Where(probe => !probe.Second).Select(probe => probe.First.Path.Name)];
    }

    private static async Task<bool> AnswersAsync(IActorRef actor, TimeSpan timeout)
    {
        try
        {
            await actor.Ask<ActorIdentity>(new Identify(null), timeout);
            return true;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }
}
