using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Display;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Output;
using Reconciler.Actors.Quarantine;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

/// <summary>
/// The one apply path of one template, the same for the daemon, <c>--onetime</c> and <c>--noop</c>: render →
/// compare with dest → stage → check → replace → runtime change or reload (in the reloader's turn, once for a
/// batch) → read-back → rollback when configured → the owed reload paid → one log line. One apply of a dest runs
/// at a time (its renderer applies one request at a time, and its successor waits until it stopped), so an applier
/// is only ever used by one apply at a time.
/// </summary>
public sealed class TemplateApplier
{
    private readonly TemplateRender _render;
    private readonly DestFile _dest;
    private readonly ApplyServices _services;
    private readonly OwedReload _owed;
    private readonly RuntimeApply? _runtime;
    private readonly bool _keepDiffs;
    private readonly SkippedKeyWarnings _skippedKeys = new();
    private readonly EmptySelectionWarnings _emptySelections = new();
    private readonly KeyQuarantine _quarantine = new();
    private readonly FailureStreak _failures = new();

    // the revision whose culprit search last found nothing, if the last search did
    private long? _fruitlessSearch;
    private readonly QuarantineWarnings _quarantineWarnings = new();
    private readonly SlotState? _slotState;
    private string? _slotRestoreProblem;
    private bool _slotSaveWarned;
    private bool _journalWarned;
    private bool _slotsRestored;

    /// <param name="keepDiffs">Debug logging: each outcome that changes or would change dest carries the unified diff (unless log-diff is off).</param>
    public TemplateApplier(TemplateDefinition definition, CompiledTemplate template, ApplyServices services, bool keepDiffs = false)
    {
        Definition = definition;
        _render = new TemplateRender(definition, template);
        _dest = new DestFile(definition);
        _services = services;
        _owed = services.OwedReloadFor(definition.Dest);
        _runtime = definition.Runtime.IsOn ? new RuntimeApply(definition, services.RuntimeApis?.Invoke(definition)) : null;
        _keepDiffs = keepDiffs;
        if (services.StateDir.Length > 0)
        {
            _slotState = SlotState.For(services.StateDir, definition.Dest);
        }
    }

    public TemplateDefinition Definition { get; }

    /// <summary>Where the current apply is, for the watchdog.</summary>
    public ApplyProgress Progress { get; } = new();

    /// <summary>The template text it was built from, to tell on a configuration reload whether it changed.</summary>
    public string SourceText => _render.Template.SourceText;

    /// <summary>A file of this dest was written and its service not brought to it, by this process or one before it.</summary>
    public bool ReloadOwed => _owed.IsOwed;

    private string Name => Definition.Name;

    /// <summary>Parses every template of the configuration (a broken one throws <see cref="TemplateException"/>).</summary>
    public static IReadOnlyList<TemplateApplier> CreateAll(ReconcilerSettings settings, ApplyServices services, bool keepDiffs = false)
    {
        var dns = new DnsLookup(settings.DnsServers);
        return [.. settings.Templates.Select(t => new TemplateApplier(t, TemplateLoader.Load(t.Src, t.Syntax, t.KeyPrefix, dns), services, keepDiffs))];
    }

    /// <summary>
    /// True when this applier was built from the same definition, template text, diff logging and DNS servers as
    /// <paramref name="other"/>: a configuration reload keeps it and its renderer.
    /// </summary>
    public bool IsSameAs(TemplateApplier other) =>
        Definition.IsSameAs(other.Definition)
        && SourceText == other.SourceText
        && _keepDiffs == other._keepDiffs
        && _render.Template.Dns.IsSameAs(other._render.Template.Dns);

    /// <summary>Deletes staged files a killed run left next to dest; returns how many.</summary>
    public int RemoveLeftovers() => _dest.RemoveLeftovers();

    /// <summary>What the template would write for <paramref name="state"/>, for <c>render</c>; <paramref name="skipped"/> the keys it left out.</summary>
    /// <exception cref="TemplateException">The render failed or was held back.</exception>
    public string Render(DesiredState state, CancellationToken cancellationToken, out IReadOnlyCollection<SkippedKey> skipped)
    {
        RestoreSlotsOnce(); // as the daemon would place each instance
        var rendered = _render.Render(state, _dest.Rendered, cancellationToken);
        skipped = rendered.Skipped;
        return rendered.Rendered ? _dest.Rendered.ToString() : throw new TemplateException(rendered.HeldBack ? $"held back by {rendered.Error}" : rendered.Error!);
    }

    /// <summary>Brings dest and its service to <paramref name="request"/>'s state and writes the reconcile line to <paramref name="logger"/> (not for a dry run).</summary>
    /// <param name="cancellationToken">Shutdown: a running check is killed and its staged file removed.</param>
    public Task<TemplateReconciled> ApplyAsync(ApplyRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        // the render itself is CPU work (a 100,000-key template takes tens of ms): never on the caller's (a mailbox's) thread
        var apply = Task.Run(() => ApplyExclusiveAsync(request, logger, cancellationToken), CancellationToken.None);
        _services.InFlight.Track(apply);
        return apply;
    }

    private async Task<TemplateReconciled> ApplyExclusiveAsync(ApplyRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        try
        {
            RestoreSlotsOnce();
            var wasOwed = _owed.IsOwed;
            var outcome = await WriteAsync(request, cancellationToken);
            if (request.DryRunFolder is null)
            {
                KeepSlots(outcome, logger); // with the file, before its reload: a kill in between must not lose them
            }

            var reconciled = request.DryRunFolder is null
                ? await BringServiceToFileAsync(outcome, wasOwed, request, logger, cancellationToken)
                : new TemplateReconciled(outcome, null);
            reconciled = reconciled with { Total = started.Elapsed };
            if (request.DryRunFolder is null)
            {
                var entry = JournalEntries.Of(reconciled, request, DateTimeOffset.UtcNow, Definition.LogDiff);
                if (request.Trigger == Triggers.ConfigurationReloaded)
                {
                    _failures.AskedAgain();
                }

                var streak = _failures.Observe(reconciled.Failed ? FailureStreak.ReasonOf(entry) : null, entry.Revision, entry.Time);
                if (streak.IsRecorded)
                {
                    Record(entry with { Repeats = streak.Repeats }, logger);
                }

                _skippedKeys.Write(logger, Name, outcome.Skipped);
                _emptySelections.Write(logger, Name, outcome);
                _quarantineWarnings.Write(logger, Name, outcome.Quarantined);
                if (streak.IsLogged)
                {
                    ReconcileLog.Write(logger, reconciled, request.Trigger);
                }

                streak.Write(logger, Name);
            }

            return reconciled;
        }
        finally
        {
            if (request.Batch is { } batch)
            {
                request.Reloader.Tell(new BatchArrived(batch, Name)); // whether it joined the batch's reload or not, the others need not wait for it
            }

            Progress.Enter("idle", null);
        }
    }

    /// <summary>
    /// Render → compare → stage → check → replace: what happened to the file. A refused check (with quarantine on)
    /// looks for the changed keys that cause it and applies the file without them.
    /// </summary>
    private async Task<ReconcileOutcome> WriteAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        if (!Definition.Quarantine.Enabled)
        {
            return await WriteStateAsync(request.State, request, cancellationToken);
        }

        var state = _quarantine.Hold(request.State);
        var holding = _quarantine.IsHolding; // after Hold: a held key that changed again is no longer held
        var slots = _render.Template.Slots.Snapshot(); // trial renders must not move instances between slots
        var outcome = await WriteStateAsync(state, request, cancellationToken);
        // a refusal, not a check killed by shutdown or its timeout: that says nothing about the keys
        if (outcome is { Status: ReconcileStatus.CheckFailed, Check: { ExitCode: not 0, TimedOut: false, Cancelled: false } } && !cancellationToken.IsCancellationRequested)
        {
            outcome = await QuarantineAsync(outcome, holding, slots, request, cancellationToken);
        }

        return outcome with { Quarantined = _quarantine.Held };
    }

    /// <summary>Render <paramref name="state"/> → compare → stage → check → replace.</summary>
    private async Task<ReconcileOutcome> WriteStateAsync(DesiredState state, ApplyRequest request, CancellationToken cancellationToken)
    {
        var outcome = new ReconcileOutcome(Name, Definition.Dest, request.State.Revision, request.Change, ReconcileStatus.Unchanged, 0, TimeSpan.Zero, null, null);
        Progress.Enter("render", Definition.RenderTimeout);
        RenderResult rendered;
        try
        {
            using var rendering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.AbandonRender);
            rendered = _render.Render(state, _dest.Rendered, rendering.Token);
        }
        catch (OperationCanceledException) when (request.AbandonRender.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return outcome with { Status = ReconcileStatus.RenderFailed, Error = Abandoned, WorthRetrying = false };
        }

        outcome = outcome with { RenderTime = rendered.Duration, Skipped = rendered.Skipped, EmptySelections = rendered.EmptySelections, Error = rendered.Error, WorthRetrying = rendered.WorthRetrying };
        if (!rendered.Rendered)
        {
            return outcome with { Status = rendered.HeldBack ? ReconcileStatus.HeldBack : ReconcileStatus.RenderFailed };
        }

        outcome = outcome with { Bytes = (int)_dest.Rendered.Length };
        if (_runtime?.Unfit(() => _dest.Rendered.ToString()) is { } unfit)
        {
            // as a failed check: the keys must change before it can pass
            return outcome with { Status = ReconcileStatus.CheckFailed, Error = unfit, WorthRetrying = false };
        }

        try
        {
            if (_dest.IsCurrent)
            {
                Applied(rendered, state);
                return outcome;
            }

            outcome = request.DryRunFolder is { } scratch
                ? await DryRunAsync(outcome, scratch, cancellationToken)
                : await ReplaceAsync(outcome, cancellationToken);
            if (outcome.Status == ReconcileStatus.Written)
            {
                Applied(rendered, state);
            }

            return outcome;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return outcome with { Status = ReconcileStatus.WriteFailed, Error = e.Message };
        }
    }

    private const string Abandoned = "abandoned: shutting down";

    /// <summary>Dest holds the render of <paramref name="state"/>: the baseline of the shrink guard and of the quarantine.</summary>
    private void Applied(RenderResult rendered, DesiredState state)
    {
        _render.Applied(rendered.Entries);
        _quarantine.Applied(state);
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
            _render.Template.Slots.Restore(slots);
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
                    _render.Template.Slots.Restore(slots);
                    return refused;
                }

                refusal = whole.Reason ?? refusal;
            }

            var changed = _quarantine.ChangedSinceLastGood(state, Definition.Reads);
            var bound = Definition.Quarantine.MaxChecks - (holding ? 1 : 0); // the whole state's check counts too
            var search = await new CulpritSearch(bound).FindAsync(
                changed,
                refusal,
                applied => TrialAsync(_quarantine.SetBack(state, changed.Where(k => !applied.Contains(k))), slots, request, cancellationToken));
            _render.Template.Slots.Restore(slots);
            return search.Found ? await ApplyWithoutAsync(search.Culprits, refused, slots, request, cancellationToken) : refused;
        }
        catch (OperationCanceledException) when (request.AbandonRender.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _render.Template.Slots.Restore(slots);
            return refused;
        }
    }

    /// <summary>Applies the request's state with <paramref name="culprits"/> set back; on success they are what is held.</summary>
    private async Task<ReconcileOutcome> ApplyWithoutAsync(
        IReadOnlyList<QuarantinedKey> culprits, ReconcileOutcome refused, IReadOnlyDictionary<int, string?[]> slots, ApplyRequest request, CancellationToken cancellationToken)
    {
        _render.Template.Slots.Restore(slots);
        var outcome = await WriteStateAsync(_quarantine.SetBack(request.State, culprits.Select(c => c.Key)), request, cancellationToken);
        if (outcome.Status is not (ReconcileStatus.Written or ReconcileStatus.Unchanged or ReconcileStatus.WouldWrite))
        {
            return refused; // the checker changed its mind: nothing is held on its word
        }

        _quarantine.HoldOnly(culprits, request.State);
        return outcome;
    }

    /// <summary>One check of the search: <paramref name="state"/> rendered and checked as the file would be, nothing replaced.</summary>
    private async Task<Trial> TrialAsync(DesiredState state, IReadOnlyDictionary<int, string?[]> slots, ApplyRequest request, CancellationToken cancellationToken)
    {
        _render.Template.Slots.Restore(slots);
        Progress.Enter("quarantine: render", Definition.RenderTimeout);
        RenderResult rendered;
        using (var rendering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.AbandonRender))
        {
            rendered = _render.Render(state, _dest.Rendered, rendering.Token);
        }

        if (!rendered.Rendered)
        {
            // held back (a guard) or failed on part of the changes: no word on any key from the checker, so the search
            // ends as if it had found nothing (quarantine answers only check-cmd's refusals)
            return Trial.Unfinished(PrintableText.Of(rendered.Error ?? "the render failed"));
        }

        if (_runtime?.Unfit(() => _dest.Rendered.ToString()) is { } unfit)
        {
            return Trial.Refused(PrintableText.Of(unfit));
        }

        if (Definition.CheckCommand.Length == 0)
        {
            return Trial.Pass;
        }

        Progress.Enter("quarantine: check", _services.CommandTimeout);
        CommandResult check;
        try
        {
            check = request.DryRunFolder is { } scratch
                ? await _dest.CheckCopyAsync(scratch, CheckAsync(cancellationToken))
                : await _dest.CheckStagedAsync(CheckAsync(cancellationToken));
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

    private async Task<ReconcileOutcome> ReplaceAsync(ReconcileOutcome outcome, CancellationToken cancellationToken)
    {
        if (Definition.LogDiff && (_keepDiffs || (_services.Journal is not null && _dest.Rendered.Length <= JournalEntry.MostDiffChars)))
        {
            outcome = outcome with { Diff = UnifiedDiff.Between(_dest.LiveText, _dest.Rendered.ToString(), Definition.Dest) };
        }

        Progress.Enter("check", _services.CommandTimeout);
        RuntimeChange? runtime = null;
        var wasOwed = _owed.IsOwed;
        var (check, replaced) = await _dest.ReplaceAsync(
            Definition.CheckCommand.Length > 0 ? CheckAsync(cancellationToken) : null,
            beforeRename: () =>
            {
                // compared with the file HAProxy was last brought to: the live one, before it is replaced
                runtime = RuntimeChangeOfRender();
                if (Definition.ReloadCommand.Length > 0)
                {
                    _owed.Owe(); // before the rename: a crash right after it must still find the reload owed
                }
            },
            renameFailed: () =>
            {
                if (!wasOwed)
                {
                    _owed.Paid(); // the service still runs what dest still holds
                }
            },
            cancellationToken);
        outcome = outcome with { Check = check };
        return replaced
            ? outcome with { Status = ReconcileStatus.Written, Runtime = runtime }
            : outcome with { Status = ReconcileStatus.CheckFailed, Error = check!.Summary };
    }

    private async Task<ReconcileOutcome> DryRunAsync(ReconcileOutcome outcome, string scratch, CancellationToken cancellationToken)
    {
        outcome = outcome with
        {
            Status = ReconcileStatus.WouldWrite,
            Diff = Definition.LogDiff ? UnifiedDiff.Between(_dest.LiveText, _dest.Rendered.ToString(), Definition.Dest) : null,
            Runtime = RuntimeChangeOfRender(),
        };
        if (Definition.CheckCommand.Length == 0)
        {
            return outcome;
        }

        var check = await _dest.CheckCopyAsync(scratch, CheckAsync(cancellationToken));
        return check.Succeeded ? outcome with { Check = check } : outcome with { Check = check, Status = ReconcileStatus.CheckFailed, Error = check.Summary };
    }

    private Func<string, Task<CommandResult>> CheckAsync(CancellationToken cancellationToken) =>
        async path => WithheldUnlessLogged(await _services.Commands.RunAsync(CheckCommand.WithSource(Definition.CheckCommand, path), _services.CommandTimeout, cancellationToken));

    private RuntimeChange? RuntimeChangeOfRender() =>
        _runtime is not null && _dest.LiveText is { } live ? _runtime.ChangeBetween(live, _dest.Rendered.ToString()) : null;

    /// <summary>
    /// A written file (or an unchanged one whose reload is owed) reaches the service: at runtime when only server
    /// lines changed and HAProxy runs the file that was replaced, else by the reload command, once for the batch.
    /// </summary>
    private async Task<TemplateReconciled> BringServiceToFileAsync(ReconcileOutcome outcome, bool wasOwed, ApplyRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        var reconciled = new TemplateReconciled(outcome, null);
        var needsReload = outcome.NeedsReload || (outcome.Status == ReconcileStatus.Unchanged && _owed.IsOwed);
        if (!needsReload || Definition.ReloadCommand.Length == 0)
        {
            return reconciled;
        }

        // a change beyond the runtime API's kind (a line outside the server lines) is a reload; one of its kind that it
        // refuses or fails is a fallback, counted
        if (outcome.NeedsReload && _runtime is not null && outcome.Runtime is { ReloadReason: null } change && !wasOwed)
        {
            Progress.Enter("runtime change, in the reload queue", null);
            var runtime = await _runtime.ApplyAsync(change, _services.CommandTimeout, request.Reloader, cancellationToken);
            reconciled = reconciled with { Runtime = runtime };
            if (runtime.Applied)
            {
                _owed.Paid(); // HAProxy runs what dest holds
                return reconciled;
            }

            logger.LogWarning("Runtime change of {Template} falls back to a reload: {Reason}", Name, runtime.Reason);
        }

        var (cause, why) = WhyReload(outcome, reconciled.Runtime);
        if (cause == "fallback" && !Definition.LogDiff)
        {
            why = $"runtime fallback ({reconciled.Runtime!.ReasonLabel})"; // its reason may quote the file
        }

        reconciled = reconciled with { ReloadCause = cause, ReloadWhy = why };
        var run = await ReloadAsync(request.Reloader, request.Batch, cancellationToken);
        reconciled = reconciled with { Reload = run.Result, ReloadRun = run };
        if (run.Result.Succeeded)
        {
            _owed.Paid(); // before the log line: whoever reads "reload=ok" finds the owed-reload marker gone
            CompareAfterReload(logger);
            return reconciled;
        }

        return Definition.RollbackOnReloadFailure && outcome.NeedsReload ? await RollBackAsync(reconciled, request.Reloader, logger, cancellationToken) : reconciled;
    }

    private const string Owed = "owed: the file was written by an earlier run, its reload not done";

    private static (string Cause, string Why) WhyReload(ReconcileOutcome outcome, RuntimeApplyResult? fallback) => outcome switch
    {
        { Status: ReconcileStatus.Unchanged } => ("owed", Owed),
        _ when fallback is { Reason: { } reason } => ("fallback", $"runtime fallback ({fallback.ReasonLabel}): {reason}"),
        { Runtime.ReloadReason: { } beyond } => ("beyond-runtime", beyond),
        { Runtime: not null } => ("owed", Owed),
        _ => ("changed", "the file changed"),
    };

    private async Task<ReloadRun> ReloadAsync(IActorRef reloader, ReloadBatch? batch, CancellationToken cancellationToken)
    {
        Progress.Enter("reload, in the reload queue", null);
        var run = await reloader.Ask<ReloadRun>(new ReloadRequested(Definition.ReloadCommand, batch, Name), timeout: null, cancellationToken);
        return run with { Result = WithheldUnlessLogged(run.Result) };
    }

    /// <summary>The reload of a new file failed: the previous file is put back and reloaded; the failed reload is what is reported.</summary>
    private async Task<TemplateReconciled> RollBackAsync(TemplateReconciled failed, IActorRef reloader, ILogger logger, CancellationToken cancellationToken)
    {
        bool restored;
        try
        {
            restored = _dest.RestorePrevious();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            logger.LogError("Cannot restore the previous {Dest} of {Template}: {Reason}", Definition.Dest, Name, e.Message);
            return failed;
        }

        if (!restored)
        {
            return failed;
        }

        logger.LogWarning("Restored the previous {Dest} of {Template} after its reload failed; reloading it", Definition.Dest, Name);
        var again = (await ReloadAsync(reloader, null, cancellationToken)).Result;
        logger.Log(again.Succeeded ? LogLevel.Information : LogLevel.Error, "Reload of the restored {Dest} of {Template}: {Result}", Definition.Dest, Name, again.Succeeded ? "ok" : again.Summary);
        if (again.Succeeded)
        {
            _owed.Paid();
        }

        return failed;
    }

    private void CompareAfterReload(ILogger logger)
    {
        if (_runtime is not null && _dest.LiveText is { } live)
        {
            _services.InFlight.Track(Task.Run(() => _runtime.CompareAfterReloadAsync(live, logger, _services.Shutdown), CancellationToken.None));
        }
    }

    private void Record(JournalEntry entry, ILogger logger)
    {
        if (_services.Journal?.Append(entry) is { } problem && !_journalWarned)
        {
            _journalWarned = true; // once: the state dir stays as it is until someone fixes it
            logger.LogWarning("Cannot record the applies of {Template} in {Journal}: {Reason}", Name, _services.Journal.Path, problem);
        }
    }

    /// <summary>
    /// Where a previous process, or this template's previous text, left each instance: read on the first apply (not
    /// when the applier is made), which follows its predecessor's last apply, so that one's last save is in.
    /// </summary>
    private void RestoreSlotsOnce()
    {
        if (_slotState is not null && !_slotsRestored)
        {
            _slotsRestored = true;
            _slotRestoreProblem = _slotState.RestoreInto(_render.Template.Slots);
        }
    }

    /// <summary>Dest holds this render: its slot assignments are the ones to come back to after a restart.</summary>
    private void KeepSlots(ReconcileOutcome outcome, ILogger logger)
    {
        if (_slotState is null || outcome.Status is not (ReconcileStatus.Written or ReconcileStatus.Unchanged))
        {
            return;
        }

        if (_slotRestoreProblem is { } unreadable)
        {
            _slotRestoreProblem = null;
            logger.LogWarning("Cannot read the slot assignments {Template} left in {StateFile}: {Reason}; instances were placed by their hash", Name, _slotState.Path, unreadable);
        }

        if (_slotState.Save(_render.Template.Slots) is { } problem && !_slotSaveWarned)
        {
            _slotSaveWarned = true; // once: the state dir stays as it is until someone fixes it
            logger.LogWarning("Cannot keep the slot assignments of {Template} in {StateFile}: {Reason}; a restart may move instances between slots", Name, _slotState.Path, problem);
        }
    }

    /// <summary>A command's result as it may be logged: without its output for a file that holds secrets (log-diff = false).</summary>
    private CommandResult WithheldUnlessLogged(CommandResult result) => Definition.LogDiff ? result : result.Withheld();
}
