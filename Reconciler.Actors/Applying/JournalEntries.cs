using Reconciler.Actors.Display;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Applying;

/// <summary>What the journal keeps of one apply (<see cref="JournalEntry"/>), from its result: key names cut short and escaped, as logs show them.</summary>
internal static class JournalEntries
{
    public static JournalEntry Of(TemplateReconciled reconciled, ApplyRequest request, DateTimeOffset time, bool keepDiff)
    {
        var (outcome, change) = (reconciled.Outcome, request.Change);
        return new JournalEntry(
            0,
            time,
            outcome.Template,
            outcome.Revision,
            [.. change.Added.Take(JournalEntry.MostKeyNames).Select(PrintableText.ShortOf)],
            [.. change.Changed.Take(JournalEntry.MostKeyNames).Select(PrintableText.ShortOf)],
            [.. change.Removed.Take(JournalEntry.MostKeyNames).Select(PrintableText.ShortOf)],
            FileOutcome(outcome),
            HowApplied(reconciled),
            reconciled.ReloadReason?.Why,
            reconciled.Failed ? "failed" : outcome.Status == ReconcileStatus.HeldBack ? "held back" : "ok",
            (long)reconciled.Total.TotalMilliseconds)
        {
            AddedCount = change.Added.Length,
            ChangedCount = change.Changed.Length,
            RemovedCount = change.Removed.Length,
            Diff = keepDiff && outcome.Diff is { Length: <= JournalEntry.MostDiffChars } diff ? diff : null,
            Trigger = request.Trigger.Label,
            RenderMs = (long)outcome.RenderTime.TotalMilliseconds,
            CheckMs = (long)(outcome.Check?.Duration ?? TimeSpan.Zero).TotalMilliseconds,
            Quarantined = outcome.Quarantined.IsEmpty ? null : [.. outcome.Quarantined.Select(q => new JournalQuarantinedKey(q.PrintableKey, q.Reason))],
            CheckOutput = FailedOutput(outcome.Check),
            ReloadOutput = FailedOutput(reconciled.Reload),
            ApplyMs = (long)(reconciled.Runtime is { Applied: true } runtime ? runtime.Duration : reconciled.Reload?.Duration ?? TimeSpan.Zero).TotalMilliseconds,
        };
    }

    /// <summary>What a failed command printed, for <c>history --show</c>: the summary is one line of it.</summary>
    private static string? FailedOutput(CommandResult? command) =>
        command is { Succeeded: false, OutputWithheld: false } && command.Output.Trim().Length > 0 ? command.Output : null;

    private static string FileOutcome(ReconcileOutcome outcome) => outcome.Status switch
    {
        ReconcileStatus.Written => "written",
        ReconcileStatus.Unchanged => "unchanged",
        ReconcileStatus.HeldBack => $"held back by {outcome.Error}",
        ReconcileStatus.RenderFailed => $"render failed: {outcome.Error}",
        ReconcileStatus.CheckFailed => $"check failed: {outcome.Check?.Summary ?? outcome.Error}",
        ReconcileStatus.WriteFailed => $"write failed: {outcome.Error}",
        _ => outcome.Status.ToString(),
    };

    private static string HowApplied(TemplateReconciled reconciled) => reconciled switch
    {
        { Runtime.Applied: true } => $"runtime ({reconciled.Runtime.Commands} commands)",
        { Reload: { Succeeded: true } } => "reload",
        { Reload: { } failed } => $"reload failed: {failed.Summary}",
        _ => "none",
    };
}
