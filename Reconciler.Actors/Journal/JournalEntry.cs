using System.Collections.Immutable;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Journal;

/// <summary>
/// One apply of one template as the journal keeps it: when, which revision, which keys (names, never values), what
/// happened to the file, how HAProxy (or whatever reload-cmd serves) was brought to it and why, and the diff unless
/// the template has log-diff = false. <see cref="Sequence"/> numbers the entries of one journal, oldest first.
/// </summary>
public sealed record JournalEntry(
    long Sequence,
    DateTimeOffset Time,
    string Template,
    long Revision,
    ImmutableArray<string> Added,
    ImmutableArray<string> Changed,
    ImmutableArray<string> Removed,
    string File,
    string Applied,
    string? Why,
    string Outcome,
    long TotalMs)
{
    /// <summary>Keys named per entry: a 100,000-key change is counted, its first names kept.</summary>
    public const int MostKeyNames = 100;

    public int AddedCount { get; init; }

    public int ChangedCount { get; init; }

    public int RemovedCount { get; init; }

    public string? Diff { get; init; }

    public static JournalEntry Of(TemplateReconciled reconciled, StateChange change, DateTimeOffset time, bool keepDiff)
    {
        var outcome = reconciled.Outcome;
        return new JournalEntry(
            0,
            time,
            outcome.Template,
            outcome.Revision,
            [.. change.Added.Take(MostKeyNames)],
            [.. change.Changed.Take(MostKeyNames)],
            [.. change.Removed.Take(MostKeyNames)],
            FileOutcome(outcome),
            HowApplied(reconciled),
            reconciled.ReloadWhy,
            reconciled.Failed ? "failed" : outcome.Status == ReconcileStatus.HeldBack ? "held back" : "ok",
            (long)reconciled.Total.TotalMilliseconds)
        {
            AddedCount = change.Added.Length,
            ChangedCount = change.Changed.Length,
            RemovedCount = change.Removed.Length,
            Diff = keepDiff ? outcome.Diff : null,
        };
    }

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
