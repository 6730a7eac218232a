using System.Collections.Immutable;
using Akka.Actor;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// Whether actors still process their mailboxes: each is sent Akka's built-in <see cref="Identify"/>, which an
/// actor answers in mailbox order, so one stuck in a handler or buried under a backlog does not answer in time.
/// </summary>
internal static class ActorLiveness
{
    /// <summary>The names of the actors that did not answer within <paramref name="timeout"/>; empty when all did.</summary>
    public static async Task<ImmutableArray<string>> UnresponsiveAsync(IReadOnlyCollection<IActorRef> actors, TimeSpan timeout)
    {
        var answers = await Task.WhenAll(actors.Select(actor => AnswersAsync(actor, timeout)));
        return [.. actors.Zip(answers).Where(probe => !probe.Second).Select(probe => probe.First.Path.Name)];
    }

    /// <summary>
    /// The renderers that answer but whose apply has stayed in one step past its bound, as <c>name (check for 45s, bound 40s)</c>:
    /// their mailbox is fine, their work is not.
    /// </summary>
    public static async Task<ImmutableArray<string>> StuckAsync(IReadOnlyCollection<IActorRef> renderers, TimeSpan timeout)
    {
        var progress = await Task.WhenAll(renderers.Select(renderer => ProgressAsync(renderer, timeout)));
        return [.. renderers.Zip(progress)
            .Where(p => p.Second is { Stuck: true })
            .Select(p => $"{p.First.Path.Name} ({p.Second!.Step} for {p.Second.For.TotalSeconds:0}s, bound {p.Second.Bound!.Value.TotalSeconds:0}s)")];
    }

    private static async Task<RendererProgress?> ProgressAsync(IActorRef renderer, TimeSpan timeout)
    {
        try
        {
            return await renderer.Ask<RendererProgress>(GetRendererProgress.Instance, timeout);
        }
        catch (AskTimeoutException)
        {
            return null; // reported as unresponsive by the Identify round
        }
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
