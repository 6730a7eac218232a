using System.Collections.Immutable;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Pipeline;
using Reconciler.Actors.Quarantine;

namespace Reconciler.Actors.Health;

/// <summary>
/// One template's health, folded from its reconciles. A failed reload sticks: a later reconcile
/// that finds dest unchanged does not reload, so the service still runs the old file until a
/// later reload succeeds. A render the shrink guard held back is no success either: dest is out of date.
/// </summary>
public sealed record TemplateHealth(
    string Name,
    TemplateState State,
    long Revision,
    DateTimeOffset? LastReconcile,
    DateTimeOffset? LastSuccess,
    string? LastError,
    bool ReloadOwed)
{
    /// <summary>How the service was last brought to a new file (a reload or the runtime API), why, and when; null before that.</summary>
    public LastApply? LastApply { get; init; }

    /// <summary>Keys held out of the file because a check refused their change, as of the last reconcile.</summary>
    public ImmutableArray<QuarantinedKey> Quarantined { get; init; } = [];

    public bool Healthy => State == TemplateState.Ok;

    public static TemplateHealth Pending(string name) => new(name, TemplateState.Pending, 0, null, null, null, ReloadOwed: false);

    public TemplateHealth After(TemplateReconciled reconciled, DateTimeOffset now)
    {
        var (outcome, reload) = (reconciled.Outcome, reconciled.Reload);
        var next = this with { Revision = outcome.Revision, LastReconcile = now, LastApply = Health.LastApply.Of(reconciled, now) ?? LastApply, Quarantined = outcome.Quarantined };
        if (outcome.Failed)
        {
            return next with { State = Failed(outcome.Status), LastError = outcome.Error };
        }

        if (outcome.Status == ReconcileStatus.HeldBack)
        {
            return next with { State = TemplateState.HeldBack, LastError = $"held back by {outcome.Error}" };
        }

        if (reload is { Succeeded: false })
        {
            return next with { State = TemplateState.ReloadFailed, LastError = $"reload failed: {reload.Summary}", ReloadOwed = true };
        }

        var owed = ReloadOwed && reload is null;
        return owed
            ? next with { State = TemplateState.ReloadFailed }
            : next with { State = TemplateState.Ok, LastSuccess = now, LastError = LeftOut(outcome), ReloadOwed = false };
    }

    /// <summary>In sync with the registry minus the keys it skipped or quarantined, or with selections that select nothing: healthy, and saying which.</summary>
    private static string? LeftOut(ReconcileOutcome outcome)
    {
        string?[] parts = [Listed("skipped", "key(s)", outcome.Skipped), Listed("quarantined", "key(s)", outcome.Quarantined), Listed("empty", "selection(s)", outcome.EmptySelections)];
        return parts.Any(p => p is not null) ? string.Join("; ", parts.OfType<string>()) : null;
    }

    private static string? Listed<T>(string what, string unit, ImmutableArray<T> keys) =>
        keys.IsEmpty ? null : $"{what} {keys.Length} {unit}: {string.Join("; ", keys.Take(5))}{(keys.Length > 5 ? "; ..." : string.Empty)}";

    private static TemplateState Failed(ReconcileStatus status) => status switch
    {
        ReconcileStatus.RenderFailed => TemplateState.RenderFailed,
        ReconcileStatus.CheckFailed => TemplateState.CheckFailed,
        _ => TemplateState.WriteFailed,
    };
}
