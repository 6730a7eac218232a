using Akka.Actor;
using Akka.Actor.Internal;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// The supervisor's one-for-one strategy (a child that fails is restarted; more than <c>max-restarts</c> within
/// <c>restart-window</c> stops it until the next configuration reload), except that the reloader is always restarted:
/// stopped, it would leave every renderer's request in dead letters, and the renderers wait for its answer (a
/// reload's result has no bound of its own: the reloader's timer kills the run). Its restart loses nothing owed
/// (<see cref="Applying.OwedReload"/>), so restarting it again is always the safe answer.
/// </summary>
internal sealed class ReloaderKeepingStrategy(IActorRef reloader, int maxRestarts, TimeSpan restartWindow)
    : OneForOneStrategy(maxRestarts, restartWindow, localOnlyDecider: _ => Directive.Restart)
{
    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
    {
        if (restart && child.Equals(reloader))
        {
            RestartChild(child, cause, suspendFirst: false);
        }
        else
        {
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }
    }
}
