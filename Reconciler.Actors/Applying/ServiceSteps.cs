using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Rendering;

namespace Reconciler.Actors.Applying;

/// <summary>
/// The service half of a template's apply, as <see cref="ApplyDecision"/> decides it: a runtime change or a reload
/// in the reloader's turn (<c>Pipeline/ReloaderActor</c>), the read-back after a reload, the rollback of a file whose
/// reload failed, and the owed reload paid once the service runs what dest holds.
/// </summary>
internal sealed class ServiceSteps(TemplateDefinition definition, DestFile dest, ApplyServices services, OwedReload owed, RuntimeApply? runtime, ApplyProgress progress)
{
    /// <summary>Brings the service to what the write (<paramref name="outcome"/>) left in dest.</summary>
    /// <param name="wasOwed">A reload was owed before the write.</param>
    public async Task<TemplateReconciled> BringToFileAsync(ReconcileOutcome outcome, bool wasOwed, ApplyRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        var reconciled = new TemplateReconciled(outcome, null);
        var step = ApplyDecision.ForService(new ServiceFacts(
            outcome.Status,
            ServiceFacts.FitOf(outcome.Runtime),
            definition.ReloadCommand.Length > 0,
            wasOwed,
            request.DryRunFolder is null && owed.IsOwed, // a dry run reads no marker: it does nothing whatever it finds
            request.DryRunFolder is not null));
        if (step.Action == ServiceAction.RuntimeChange)
        {
            progress.Enter("runtime change, in the reload queue", null);
            var applied = await runtime!.ApplyAsync(outcome.Runtime!, services.CommandTimeout, request.Reloader, cancellationToken);
            reconciled = reconciled with { Runtime = applied };
            step = ApplyDecision.AfterRuntimeChange(applied.Applied);
            if (step.Action == ServiceAction.Reload)
            {
                logger.LogWarning("Runtime change of {Template} falls back to a reload: {Reason}", definition.Name, applied.Reason);
            }
        }

        switch (step)
        {
            case { Action: ServiceAction.PayOwed }:
                owed.Paid(); // HAProxy runs what dest holds
                return reconciled;
            case { Action: ServiceAction.Reload, Cause: { } cause }:
                return await ReloadAsync(reconciled, ReloadReason.For(cause, outcome.Runtime, reconciled.Runtime, definition.LogDiff), request, logger, cancellationToken);
            default:
                return reconciled;
        }
    }

    private async Task<TemplateReconciled> ReloadAsync(TemplateReconciled reconciled, ReloadReason reason, ApplyRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        reconciled = reconciled with { ReloadReason = reason };
        var run = await RunReloadAsync(request.Reloader, request.Batch, cancellationToken);
        reconciled = reconciled with { Reload = run.Result, ReloadRun = run };
        switch (ApplyDecision.AfterReload(run.Result, definition.RollbackOnReloadFailure, reconciled.Outcome.Status))
        {
            case ReloadFollowUp.PayOwed:
                owed.Paid(); // before the log line: whoever reads "reload=ok" finds the owed-reload marker gone
                CompareAfterReload(logger);
                break;
            case ReloadFollowUp.RollBack:
                await RollBackAsync(request.Reloader, logger, cancellationToken);
                break;
        }

        return reconciled;
    }

    private async Task<ReloadRun> RunReloadAsync(IActorRef reloader, ReloadBatch? batch, CancellationToken cancellationToken)
    {
        progress.Enter("reload, in the reload queue", null);
        var run = await reloader.Ask<ReloadRun>(new ReloadRequested(definition.ReloadCommand, batch, definition.Name), timeout: null, cancellationToken);
        return run with { Result = definition.LogDiff ? run.Result : run.Result.Withheld() }; // no output of a file that holds secrets
    }

    /// <summary>The reload of a new file failed: the previous file is put back and reloaded; the failed reload is what is reported.</summary>
    private async Task RollBackAsync(IActorRef reloader, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (!dest.RestorePrevious())
            {
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            logger.LogError("Cannot restore the previous {Dest} of {Template}: {Reason}", definition.Dest, definition.Name, e.Message);
            return;
        }

        logger.LogWarning("Restored the previous {Dest} of {Template} after its reload failed; reloading it", definition.Dest, definition.Name);
        var again = (await RunReloadAsync(reloader, null, cancellationToken)).Result;
        logger.Log(again.Succeeded ? LogLevel.Information : LogLevel.Error, "Reload of the restored {Dest} of {Template}: {Result}", definition.Dest, definition.Name, again.Succeeded ? "ok" : again.Summary);
        if (ApplyDecision.AfterReload(again, rollbackOnFailure: false, ReconcileStatus.Unchanged) == ReloadFollowUp.PayOwed)
        {
            owed.Paid();
        }
    }

    private void CompareAfterReload(ILogger logger)
    {
        if (runtime is not null && dest.LiveText is { } live)
        {
            services.InFlight.Track(Task.Run(() => runtime.CompareAfterReloadAsync(live, logger, services.Shutdown), CancellationToken.None));
        }
    }
}
