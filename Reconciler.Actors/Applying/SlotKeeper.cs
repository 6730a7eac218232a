using Microsoft.Extensions.Logging;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

/// <summary>
/// Carries a template's haproxySlots assignments across restarts and template changes (<see cref="SlotState"/>):
/// restored before the first render, kept with each file dest comes to hold. A problem with the state file is said once.
/// </summary>
internal sealed class SlotKeeper(string name, SlotAssignments slots, SlotState? state)
{
    private string? _restoreProblem;
    private bool _saveWarned;
    private bool _restored;

    /// <summary>
    /// Where a previous process, or this template's previous text, left each instance: read on the first apply (not
    /// when the applier is made), which follows its predecessor's last apply, so that one's last save is in.
    /// </summary>
    public void RestoreOnce()
    {
        if (state is not null && !_restored)
        {
            _restored = true;
            _restoreProblem = state.RestoreInto(slots);
        }
    }

    /// <summary>Dest holds this render: its slot assignments are the ones to come back to after a restart.</summary>
    public void Keep(ReconcileOutcome outcome, ILogger logger)
    {
        if (state is null || outcome.Status is not (ReconcileStatus.Written or ReconcileStatus.Unchanged))
        {
            return;
        }

        if (_restoreProblem is { } unreadable)
        {
            _restoreProblem = null;
            logger.LogWarning("Cannot read the slot assignments {Template} left in {StateFile}: {Reason}; instances were placed by their hash", name, state.Path, unreadable);
        }

        if (state.Save(slots) is { } problem && !_saveWarned)
        {
            _saveWarned = true; // once: the state dir stays as it is until someone fixes it
            logger.LogWarning("Cannot keep the slot assignments of {Template} in {StateFile}: {Reason}; a restart may move instances between slots", name, state.Path, problem);
        }
    }
}
