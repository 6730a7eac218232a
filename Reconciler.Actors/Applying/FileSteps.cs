using Reconciler.Actors.Configuration;
using Reconciler.Actors.Display;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Output;
using Reconciler.Actors.Quarantine;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Applying;

/// <summary>
/// The file half of a template's apply, as <see cref="ApplyDecision.ForFile"/> decides it: render → compare → stage →
/// check → replace (or, for <c>--noop</c>, check a copy), and the render and check of one quarantine trial.
/// </summary>
internal sealed class FileSteps(
    TemplateDefinition definition, TemplateRender render, DestFile dest, ApplyServices services, OwedReload owed, RuntimeApply? runtime,
    KeyQuarantine quarantine, ApplyProgress progress, bool keepDiffs)
{
    private const string Abandoned = "abandoned: shutting down";

    /// <summary>Render <paramref name="state"/> → compare → stage → check → replace.</summary>
    public async Task<ReconcileOutcome> WriteAsync(DesiredState state, ApplyRequest request, CancellationToken cancellationToken)
    {
        var outcome = new ReconcileOutcome(definition.Name, definition.Dest, request.State.Revision, request.Change, ReconcileStatus.Unchanged, 0, TimeSpan.Zero, null, null);
        progress.Enter("render", definition.RenderTimeout);
        RenderResult rendered;
        try
        {
            using var rendering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.AbandonRender);
            rendered = render.Render(state, dest.Rendered, rendering.Token);
        }
        catch (OperationCanceledException) when (request.AbandonRender.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return outcome with { Status = ReconcileStatus.RenderFailed, Error = Abandoned, WorthRetrying = false };
        }

        outcome = outcome with { RenderTime = rendered.Duration, Skipped = rendered.Skipped, EmptySelections = rendered.EmptySelections, Error = rendered.Error, WorthRetrying = rendered.WorthRetrying };
        var unfit = rendered.Rendered ? Unfit() : null;
        try
        {
            var step = ApplyDecision.ForFile(new FileFacts(
                StateOf(rendered), unfit is not null, rendered.Rendered && unfit is null && dest.IsCurrent, request.DryRunFolder is not null));
            if (rendered.Rendered)
            {
                outcome = outcome with { Bytes = (int)dest.Rendered.Length };
            }

            outcome = step switch
            {
                FileStep.HoldBack => outcome with { Status = ReconcileStatus.HeldBack },
                FileStep.FailRender => outcome with { Status = ReconcileStatus.RenderFailed },
                FileStep.Refuse => outcome with { Status = ReconcileStatus.CheckFailed, Error = unfit, WorthRetrying = false },
                FileStep.Keep => outcome,
                FileStep.CheckCopy => await CheckCopyAsync(outcome, request.DryRunFolder!, cancellationToken),
                _ => await ReplaceAsync(outcome, cancellationToken),
            };
            if (step == FileStep.Keep || outcome.Status == ReconcileStatus.Written)
            {
                // dest holds the render of state: the baseline of the shrink guard and of the quarantine
                render.Applied(rendered.Entries);
                quarantine.Applied(state);
            }

            return outcome;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return outcome with { Status = ReconcileStatus.WriteFailed, Error = e.Message };
        }
    }

    /// <summary>One check of a quarantine search: <paramref name="state"/> rendered and checked as the file would be, nothing replaced.</summary>
    public async Task<Trial> TrialAsync(DesiredState state, ApplyRequest request, CancellationToken cancellationToken)
    {
        progress.Enter("quarantine: render", definition.RenderTimeout);
        RenderResult rendered;
        using (var rendering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.AbandonRender))
        {
            rendered = render.Render(state, dest.Rendered, rendering.Token);
        }

        if (!rendered.Rendered)
        {
            // held back (a guard) or failed on part of the changes: no word on any key from the checker, so the search
            // ends as if it had found nothing (quarantine answers only check-cmd's refusals)
            return Trial.Unfinished(PrintableText.Of(rendered.Error ?? "the render failed"));
        }

        if (Unfit() is { } unfit)
        {
            return Trial.Refused(PrintableText.Of(unfit));
        }

        if (definition.CheckCommand.Length == 0)
        {
            return Trial.Pass;
        }

        progress.Enter("quarantine: check", services.CommandTimeout);
        CommandResult check;
        try
        {
            check = request.DryRunFolder is { } scratch
                ? await dest.CheckCopyAsync(scratch, CheckAsync(cancellationToken))
                : await dest.CheckStagedAsync(CheckAsync(cancellationToken));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Trial.Unfinished(e.Message); // the trial file could not be staged: the search ends, the refusal stands
        }

        return check switch
        {
            { Succeeded: true } => Trial.Pass,
            { TimedOut: true } or { Cancelled: true } => Trial.Unfinished(check.Summary),
            _ => Trial.Refused(PrintableText.Of(check.Summary)),
        };
    }

    private static RenderState StateOf(RenderResult rendered) => rendered switch
    {
        { Rendered: true } => RenderState.Rendered,
        { HeldBack: true } => RenderState.HeldBack,
        _ => RenderState.Failed,
    };

    private string? Unfit() => runtime?.Unfit(() => dest.Rendered.ToString());

    private async Task<ReconcileOutcome> ReplaceAsync(ReconcileOutcome outcome, CancellationToken cancellationToken)
    {
        if (definition.LogDiff && (keepDiffs || (services.Journal is not null && dest.Rendered.Length <= JournalEntry.MostDiffChars)))
        {
            outcome = outcome with { Diff = UnifiedDiff.Between(dest.LiveText, dest.Rendered.ToString(), definition.Dest) };
        }

        progress.Enter("check", services.CommandTimeout);
        RuntimeChange? change = null;
        var wasOwed = owed.IsOwed;
        var (check, replaced) = await dest.ReplaceAsync(
            definition.CheckCommand.Length > 0 ? CheckAsync(cancellationToken) : null,
            beforeRename: () =>
            {
                // compared with the file HAProxy was last brought to: the live one, before it is replaced
                change = RuntimeChangeOfRender();
                if (definition.ReloadCommand.Length > 0)
                {
                    owed.Owe(); // before the rename: a crash right after it must still find the reload owed
                }
            },
            renameFailed: () =>
            {
                if (!wasOwed)
                {
                    owed.Paid(); // the service still runs what dest still holds
                }
            },
            cancellationToken);
        outcome = outcome with { Check = check };
        return replaced
            ? outcome with { Status = ReconcileStatus.Written, Runtime = change }
            : outcome with { Status = ReconcileStatus.CheckFailed, Error = check!.Summary };
    }

    private async Task<ReconcileOutcome> CheckCopyAsync(ReconcileOutcome outcome, string scratch, CancellationToken cancellationToken)
    {
        outcome = outcome with
        {
            Status = ReconcileStatus.WouldWrite,
            Diff = definition.LogDiff ? UnifiedDiff.Between(dest.LiveText, dest.Rendered.ToString(), definition.Dest) : null,
            Runtime = RuntimeChangeOfRender(),
        };
        if (definition.CheckCommand.Length == 0)
        {
            return outcome;
        }

        var check = await dest.CheckCopyAsync(scratch, CheckAsync(cancellationToken));
        return check.Succeeded ? outcome with { Check = check } : outcome with { Check = check, Status = ReconcileStatus.CheckFailed, Error = check.Summary };
    }

    private Func<string, Task<CommandResult>> CheckAsync(CancellationToken cancellationToken) =>
        async path => WithheldUnlessLogged(await services.Commands.RunAsync(CheckCommand.WithSource(definition.CheckCommand, path), services.CommandTimeout, cancellationToken));

    private RuntimeChange? RuntimeChangeOfRender() =>
        runtime is not null && dest.LiveText is { } live ? runtime.ChangeBetween(live, dest.Rendered.ToString()) : null;

    /// <summary>A command's result as it may be logged: without its output for a file that holds secrets (log-diff = false).</summary>
    private CommandResult WithheldUnlessLogged(CommandResult result) => definition.LogDiff ? result : result.Withheld();
}
