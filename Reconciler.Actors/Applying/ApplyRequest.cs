using Akka.Actor;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Applying;

/// <summary>
/// One apply of one template: bring dest and its service to <paramref name="State"/>. <paramref name="Change"/> is
/// what changed under the template's keys since its last apply (for the log line). <paramref name="Batch"/>: the
/// templates sharing its reload command that this change reached too (one reload for all of them); null for none.
/// </summary>
public sealed record ApplyRequest(DesiredState State, StateChange Change, ReloadBatch? Batch = null)
{
    /// <summary>
    /// <c>--noop</c>: render, compare and run check-cmd on a copy in this folder, and say how the change would be
    /// applied; write and reload nothing. Null: apply.
    /// </summary>
    public string? DryRunFolder { get; init; }

    /// <summary>What started this apply, for the journal: keys changed, configuration reloaded, retry, onetime.</summary>
    public ApplyTrigger Trigger { get; init; } = ApplyTrigger.KeysChanged;

    /// <summary>
    /// Who runs its reload or runtime change (<c>Pipeline/ReloaderActor</c>): the pipeline's, or <c>--onetime</c>'s own.
    /// Nobody for a dry run, which runs neither.
    /// </summary>
    public IActorRef Reloader { get; init; } = ActorRefs.Nobody;

    /// <summary>Stops the render only (shutdown does not wait for one); a running check or reload is left to the apply's own token.</summary>
    public CancellationToken AbandonRender { get; init; }
}
