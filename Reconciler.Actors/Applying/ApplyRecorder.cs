using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Journal;

namespace Reconciler.Actors.Applying;

/// <summary>
/// What an apply leaves beyond dest and the service: its journal entry, the warnings about keys it left out, held or
/// matched nothing, and the reconcile line. A failure that repeats is recorded and said once (<see cref="FailureStreak"/>).
/// </summary>
internal sealed class ApplyRecorder(TemplateDefinition definition, ApplyJournal? journal)
{
    private readonly SkippedKeyWarnings _skippedKeys = new();
    private readonly EmptySelectionWarnings _emptySelections = new();
    private readonly QuarantineWarnings _quarantineWarnings = new();
    private readonly FailureStreak _failures = new();
    private bool _journalWarned;

    public void Record(TemplateReconciled reconciled, ApplyRequest request, ILogger logger)
    {
        var name = definition.Name;
        var outcome = reconciled.Outcome;
        var entry = JournalEntries.Of(reconciled, request, DateTimeOffset.UtcNow, definition.LogDiff);
        if (request.Trigger == ApplyTrigger.ConfigurationReloaded)
        {
            _failures.AskedAgain();
        }

        var streak = _failures.Observe(reconciled.Failed ? FailureStreak.ReasonOf(entry) : null, entry.Revision, entry.Time);
        if (streak.IsRecorded)
        {
            Append(entry with { Repeats = streak.Repeats }, logger);
        }

        _skippedKeys.Write(logger, name, outcome.Skipped);
        _emptySelections.Write(logger, name, outcome);
        _quarantineWarnings.Write(logger, name, outcome.Quarantined);
        if (streak.IsLogged)
        {
            ReconcileLog.Write(logger, reconciled, request.Trigger);
        }

        streak.Write(logger, name);
    }

    private void Append(JournalEntry entry, ILogger logger)
    {
        if (journal?.Append(entry) is { } problem && !_journalWarned)
        {
            _journalWarned = true; // once: the state dir stays as it is until someone fixes it
            logger.LogWarning("Cannot record the applies of {Template} in {Journal}: {Reason}", definition.Name, journal.Path, problem);
        }
    }
}
