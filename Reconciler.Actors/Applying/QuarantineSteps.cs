using Reconciler.Actors.Configuration;
using Reconciler.Actors.Display;
using Reconciler.Actors.Quarantine;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

/// <summary>
/// The write of a template with quarantine on: a refused check looks for the changed keys that cause it and applies
/// the file without them (<see cref="CulpritSearch"/>); held keys stay out until their change passes.
/// </summary>
internal sealed class QuarantineSteps(TemplateDefinition definition, CompiledTemplate template, KeyQuarantine quarantine, FileSteps file)
{
    // the revision whose culprit search last found nothing, if the last search did
    private long? _fruitlessSearch;

    /// <summary>Render → compare → stage → check → replace, with the held keys set back and a refusal searched.</summary>
    public async Task<ReconcileOutcome> WriteAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        if (!definition.Quarantine.Enabled)
        {
            return await file.WriteAsync(request.State, request, cancellationToken);
        }

        var state = quarantine.Hold(request.State);
        var holding = quarantine.IsHolding; // after Hold: a held key that changed again is no longer held
        var slots = template.Slots.Snapshot(); // trial renders must not move instances between slots
        var outcome = await file.WriteAsync(state, request, cancellationToken);
        // a refusal, not a check killed by shutdown or its timeout: that says nothing about the keys
        if (outcome is { Status: ReconcileStatus.CheckFailed, Check: { ExitCode: not 0, TimedOut: false, Cancelled: false } } && !cancellationToken.IsCancellationRequested)
        {
            outcome = await QuarantineAsync(outcome, holding, slots, request, cancellationToken);
        }

        return outcome with { Quarantined = quarantine.Held };
    }

    /// <summary>
    /// <paramref name="refused"/>'s check-cmd refused the file: finds the keys changed since the last good file that
    /// cause it (<see cref="CulpritSearch"/>) and applies the file without them, which are then held. Keys already
    /// held (<paramref name="holding"/>) take part: the file with all of them is checked first (a change made in two
    /// steps, a certificate then its key, passes only whole), and the search then runs over them too, so the held
    /// set becomes exactly what it finds. When none are found (the check fails with every change set back, or not
    /// within quarantine.max-checks), or the file without them is refused after all, the refusal stands as it is.
    /// </summary>
    private async Task<ReconcileOutcome> QuarantineAsync(
        ReconcileOutcome refused, bool holding, IReadOnlyDictionary<int, string?[]> slots, ApplyRequest request, CancellationToken cancellationToken)
    {
        // a retry of the revision a search found nothing in (the renderer retries a failed check with backoff) would
        // only run the same trial checks again: the refusal stands, and the next change searches anew
        if (request.State.Revision == _fruitlessSearch)
        {
            template.Slots.Restore(slots);
            return refused;
        }

        var outcome = await SearchAsync(refused, holding, slots, request, cancellationToken);
        _fruitlessSearch = ReferenceEquals(outcome, refused) ? request.State.Revision : null;
        return outcome;
    }

    private async Task<ReconcileOutcome> SearchAsync(
        ReconcileOutcome refused, bool holding, IReadOnlyDictionary<int, string?[]> slots, ApplyRequest request, CancellationToken cancellationToken)
    {
        var state = request.State;
        var refusal = PrintableText.Of(refused.Error ?? "refused");
        try
        {
            if (holding)
            {
                var whole = await TrialAsync(state, slots, request, cancellationToken);
                if (whole.Passed)
                {
                    return await ApplyWithoutAsync([], refused, slots, request, cancellationToken);
                }

                if (!whole.Finished)
                {
                    template.Slots.Restore(slots);
                    return refused;
                }

                refusal = whole.Reason ?? refusal;
            }

            var changed = quarantine.ChangedSinceLastGood(state, definition.Reads);
            var bound = definition.Quarantine.MaxChecks - (holding ? 1 : 0); // the whole state's check counts too
            var search = await new CulpritSearch(bound).FindAsync(
                changed,
                refusal,
                applied => TrialAsync(quarantine.SetBack(state, changed.Where(k => !applied.Contains(k))), slots, request, cancellationToken));
            template.Slots.Restore(slots);
            return search.Found ? await ApplyWithoutAsync(search.Culprits, refused, slots, request, cancellationToken) : refused;
        }
        catch (OperationCanceledException) when (request.AbandonRender.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            template.Slots.Restore(slots);
            return refused;
        }
    }

    /// <summary>Applies the request's state with <paramref name="culprits"/> set back; on success they are what is held.</summary>
    private async Task<ReconcileOutcome> ApplyWithoutAsync(
        IReadOnlyList<QuarantinedKey> culprits, ReconcileOutcome refused, IReadOnlyDictionary<int, string?[]> slots, ApplyRequest request, CancellationToken cancellationToken)
    {
        template.Slots.Restore(slots);
        var outcome = await file.WriteAsync(quarantine.SetBack(request.State, culprits.Select(c => c.Key)), request, cancellationToken);
        if (outcome.Status is not (ReconcileStatus.Written or ReconcileStatus.Unchanged or ReconcileStatus.WouldWrite))
        {
            return refused; // the checker changed its mind: nothing is held on its word
        }

        quarantine.HoldOnly(culprits, request.State);
        return outcome;
    }

    /// <summary>One check of the search, from the slots the search started with.</summary>
    private Task<Trial> TrialAsync(DesiredState state, IReadOnlyDictionary<int, string?[]> slots, ApplyRequest request, CancellationToken cancellationToken)
    {
        template.Slots.Restore(slots);
        return file.TrialAsync(state, request, cancellationToken);
    }
}
