using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Applying;

/// <summary>
/// What one apply of a template did, start to end: the file (<see cref="Outcome"/>), then how the service was
/// brought to it — a reload (<see cref="Reload"/>) or a runtime change (<see cref="Runtime"/>, applied or the reason it
/// fell back to the reload). Published on the event stream for health, metrics and systemd.
/// </summary>
public sealed record TemplateReconciled(ReconcileOutcome Outcome, CommandResult? Reload)
{
    /// <summary>The runtime change tried instead of a reload: applied, or why it fell back to <see cref="Reload"/>.</summary>
    public RuntimeApplyResult? Runtime { get; init; }

    /// <summary>The run of the reload command, shared with the other templates it served; null without a reload.</summary>
    public ReloadRun? ReloadRun { get; init; }

    /// <summary>
    /// Why it reloaded: the cause (its <see cref="Applying.ReloadReason.Label"/> is the metric's label) and the line
    /// the log, the journal and /healthz say; null without a reload.
    /// </summary>
    public ReloadReason? ReloadReason { get; init; }

    /// <summary>The whole apply, waiting for the dest and the reload queue included.</summary>
    public TimeSpan Total { get; init; }

    public bool Failed => Outcome.Failed || Reload is { Succeeded: false };
}
