using Reconciler.Actors.Applying;
using Reconciler.Actors.Health;

namespace Reconciler.Actors.Fleet;

/// <summary>
/// Folds each template's applies into what its dest holds: the revision the file in place was rendered from, and what
/// the last apply came to. A failed apply leaves the older file, whose revision is kept; so does a reload that failed
/// and was rolled back (the file read back is the previous one). The outcome follows /healthz's state
/// (<see cref="TemplateHealth"/>: a reload still owed is no success either).
/// </summary>
public sealed class AppliedFiles
{
    private readonly Dictionary<string, (TemplateHealth Health, TemplateApplied? Last)> _templates = new(StringComparer.Ordinal);

    /// <param name="sha256">Of dest as read after the apply; empty when there is no file.</param>
    public TemplateApplied After(TemplateReconciled reconciled, string sha256, DateTimeOffset now)
    {
        var outcome = reconciled.Outcome;
        var (health, last) = _templates.GetValueOrDefault(outcome.Template, (TemplateHealth.Pending(outcome.Template), null));
        health = health.After(reconciled, now);
        var applied = new TemplateApplied(outcome.Template, RevisionOfFile(outcome, sha256, last), sha256, OutcomeOf(health, outcome), HowOf(reconciled), now);
        _templates[outcome.Template] = (health, applied);
        return applied;
    }

    private static long RevisionOfFile(ReconcileOutcome outcome, string sha256, TemplateApplied? last)
    {
        var sameFileAsBefore = last is not null && last.Sha256 == sha256;
        return outcome.Status switch
        {
            ReconcileStatus.Unchanged => outcome.Revision,
            ReconcileStatus.Written => sameFileAsBefore ? last!.Revision : outcome.Revision,

            // before the first apply that wrote or matched it, the file is a previous run's: its revision is unknown
            _ => sameFileAsBefore ? last!.Revision : 0,
        };
    }

    private static FleetOutcome OutcomeOf(TemplateHealth health, ReconcileOutcome outcome) => health.State switch
    {
        TemplateState.Ok or TemplateState.Pending => outcome.Quarantined.IsEmpty ? FleetOutcome.Ok : FleetOutcome.Quarantined,
        TemplateState.RenderFailed => FleetOutcome.RenderFailed,
        TemplateState.CheckFailed => FleetOutcome.CheckFailed,
        TemplateState.WriteFailed => FleetOutcome.WriteFailed,
        TemplateState.ReloadFailed => FleetOutcome.ReloadFailed,
        TemplateState.HeldBack => FleetOutcome.HeldBack,
        _ => throw new ArgumentOutOfRangeException(nameof(health), health.State, null),
    };

    private static ApplyHow HowOf(TemplateReconciled reconciled) => reconciled switch
    {
        { Runtime.Applied: true } => ApplyHow.Runtime,
        { Reload: not null } => ApplyHow.Reload,
        _ => ApplyHow.None,
    };
}
