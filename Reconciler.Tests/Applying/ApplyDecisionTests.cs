using Reconciler.Actors.Applying;
using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Applying;

/// <summary>The decision of an apply, row by row: each table is every case the steps hand it, with what must follow.</summary>
public sealed class ApplyDecisionTests
{
    private const RenderState Rendered = RenderState.Rendered;

    [Fact]
    public void A_render_is_held_back_failed_refused_kept_checked_as_a_copy_or_replaced()
    {
        (FileFacts Facts, FileStep Expected)[] table =
        [
            (new(RenderState.HeldBack, UnfitForRuntime: false, DestIsCurrent: false, DryRun: false), FileStep.HoldBack),
            (new(RenderState.HeldBack, UnfitForRuntime: false, DestIsCurrent: false, DryRun: true), FileStep.HoldBack),
            (new(RenderState.Failed, UnfitForRuntime: false, DestIsCurrent: false, DryRun: false), FileStep.FailRender),
            (new(RenderState.Failed, UnfitForRuntime: false, DestIsCurrent: false, DryRun: true), FileStep.FailRender),
            (new(Rendered, UnfitForRuntime: true, DestIsCurrent: false, DryRun: false), FileStep.Refuse),
            (new(Rendered, UnfitForRuntime: true, DestIsCurrent: false, DryRun: true), FileStep.Refuse), // --noop refuses alike
            (new(Rendered, UnfitForRuntime: true, DestIsCurrent: true, DryRun: false), FileStep.Refuse), // HAProxy would refuse it even as it is
            (new(Rendered, UnfitForRuntime: false, DestIsCurrent: true, DryRun: false), FileStep.Keep),
            (new(Rendered, UnfitForRuntime: false, DestIsCurrent: true, DryRun: true), FileStep.Keep),
            (new(Rendered, UnfitForRuntime: false, DestIsCurrent: false, DryRun: true), FileStep.CheckCopy),
            (new(Rendered, UnfitForRuntime: false, DestIsCurrent: false, DryRun: false), FileStep.Replace),
        ];

        Assert.Empty(table.Where(row => ApplyDecision.ForFile(row.Facts) != row.Expected).Select(row => $"{row.Facts} → {ApplyDecision.ForFile(row.Facts)}, not {row.Expected}"));
    }

    [Fact]
    public void The_service_is_brought_to_the_file_at_runtime_by_a_reload_or_not_at_all()
    {
        var nothing = ServiceStep.Nothing;
        var runtime = ServiceStep.RuntimeChange;
        (ServiceFacts Facts, ServiceStep Expected)[] table =
        [
            // a written file: a reload without a runtime API, at runtime when it fits and nothing earlier is owed
            (Facts(ReconcileStatus.Written, RuntimeFit.None), ServiceStep.ReloadFor(ReloadCause.Changed)),
            (Facts(ReconcileStatus.Written, RuntimeFit.Fits), runtime),
            (Facts(ReconcileStatus.Written, RuntimeFit.Beyond), ServiceStep.ReloadFor(ReloadCause.BeyondRuntime)),
            (Facts(ReconcileStatus.Written, RuntimeFit.Fits, wasOwed: true), ServiceStep.ReloadFor(ReloadCause.Owed)), // HAProxy runs an older file than the live one
            (Facts(ReconcileStatus.Written, RuntimeFit.Beyond, wasOwed: true), ServiceStep.ReloadFor(ReloadCause.BeyondRuntime)),
            (Facts(ReconcileStatus.Written, RuntimeFit.None, wasOwed: true), ServiceStep.ReloadFor(ReloadCause.Changed)),
            (Facts(ReconcileStatus.Written, RuntimeFit.Fits, hasReloadCommand: false, isOwed: false), nothing),
            (Facts(ReconcileStatus.Written, RuntimeFit.None, hasReloadCommand: false, isOwed: false), nothing),

            // an unchanged file: only an owed reload is paid
            (Facts(ReconcileStatus.Unchanged, RuntimeFit.None, isOwed: false), nothing),
            (Facts(ReconcileStatus.Unchanged, RuntimeFit.None, wasOwed: true, isOwed: true), ServiceStep.ReloadFor(ReloadCause.Owed)),
            (Facts(ReconcileStatus.Unchanged, RuntimeFit.None, wasOwed: true, isOwed: true, hasReloadCommand: false), nothing),

            // nothing written: an owed reload stays owed for the next apply that gets through
            (Facts(ReconcileStatus.CheckFailed, RuntimeFit.None, wasOwed: true, isOwed: true), nothing),
            (Facts(ReconcileStatus.RenderFailed, RuntimeFit.None, wasOwed: true, isOwed: true), nothing),
            (Facts(ReconcileStatus.WriteFailed, RuntimeFit.None, wasOwed: true, isOwed: true), nothing),
            (Facts(ReconcileStatus.HeldBack, RuntimeFit.None, wasOwed: true, isOwed: true), nothing),

            // --noop: the same decision, which never touches the service
            (Facts(ReconcileStatus.WouldWrite, RuntimeFit.Fits, dryRun: true, isOwed: false), nothing),
            (Facts(ReconcileStatus.WouldWrite, RuntimeFit.None, dryRun: true, isOwed: false), nothing),
            (Facts(ReconcileStatus.Unchanged, RuntimeFit.None, wasOwed: true, isOwed: true, dryRun: true), nothing),
        ];

        Assert.Empty(table.Where(row => ApplyDecision.ForService(row.Facts) != row.Expected).Select(row => $"{row.Facts} → {ApplyDecision.ForService(row.Facts)}, not {row.Expected}"));
    }

    [Fact]
    public void A_runtime_change_applied_pays_the_owed_reload_and_one_that_fell_back_reloads_as_a_fallback()
    {
        Assert.Equal(ServiceStep.PayOwed, ApplyDecision.AfterRuntimeChange(applied: true));
        Assert.Equal(ServiceStep.ReloadFor(ReloadCause.Fallback), ApplyDecision.AfterRuntimeChange(applied: false));
    }

    [Fact]
    public void A_reload_pays_or_rolls_back_a_new_file_when_configured_or_stays_owed()
    {
        var ok = new CommandResult(0, string.Empty, TimeSpan.Zero, TimedOut: false);
        var failed = new CommandResult(1, "exit 1", TimeSpan.Zero, TimedOut: false);
        var notRun = new CommandResult(-1, "not run: the reloader restarted", TimeSpan.Zero, TimedOut: false, Cancelled: true);
        (CommandResult Reload, bool RollbackOnFailure, ReconcileStatus File, ReloadFollowUp Expected)[] table =
        [
            (ok, false, ReconcileStatus.Written, ReloadFollowUp.PayOwed),
            (ok, true, ReconcileStatus.Written, ReloadFollowUp.PayOwed),
            (ok, true, ReconcileStatus.Unchanged, ReloadFollowUp.PayOwed),
            (failed, true, ReconcileStatus.Written, ReloadFollowUp.RollBack),
            (failed, false, ReconcileStatus.Written, ReloadFollowUp.LeaveOwed),
            (failed, true, ReconcileStatus.Unchanged, ReloadFollowUp.LeaveOwed), // an owed reload of the file dest holds: nothing to go back to
            (notRun, true, ReconcileStatus.Written, ReloadFollowUp.LeaveOwed), // says nothing of the new file: not rolled back
        ];

        Assert.Empty(table
            .Where(row => ApplyDecision.AfterReload(row.Reload, row.RollbackOnFailure, row.File) != row.Expected)
            .Select(row => $"{row} → {ApplyDecision.AfterReload(row.Reload, row.RollbackOnFailure, row.File)}"));
    }

    [Fact]
    public void The_reload_reasons_say_what_the_metric_journal_and_healthz_said_before()
    {
        var fallback = RuntimeApplyResult.FellBack(RuntimeFallback.Socket, "no result within 5s");
        (ReloadReason Reason, string Label, string Why)[] table =
        [
            (ReloadReason.For(ReloadCause.Changed, null, null, logDiff: true), "changed", "the file changed"),
            (ReloadReason.For(ReloadCause.BeyondRuntime, new BeyondChange("a line outside the server lines changed"), null, logDiff: true), "beyond-runtime", "a line outside the server lines changed"),
            (ReloadReason.For(ReloadCause.Fallback, null, fallback, logDiff: true), "fallback", "runtime fallback (socket): no result within 5s"),
            (ReloadReason.For(ReloadCause.Fallback, null, fallback, logDiff: false), "fallback", "runtime fallback (socket)"), // its reason may quote the file
            (ReloadReason.For(ReloadCause.Owed, null, null, logDiff: true), "owed", "owed: the file was written by an earlier run, its reload not done"),
        ];

        Assert.All(table, row => Assert.Equal((row.Label, row.Why), (row.Reason.Label, row.Reason.Why)));
    }

    [Fact]
    public void A_written_change_fits_the_runtime_api_unless_it_says_why_only_a_reload_can()
    {
        Assert.Equal(RuntimeFit.None, ServiceFacts.FitOf(null));
        Assert.Equal(RuntimeFit.Fits, ServiceFacts.FitOf(new BeyondChange(null)));
        Assert.Equal(RuntimeFit.Beyond, ServiceFacts.FitOf(new BeyondChange("no plan")));
    }

    [Fact]
    public void Triggers_and_runtime_fallbacks_say_the_words_the_journal_and_the_metrics_said_before()
    {
        Assert.Equal(
            ["keys changed", "configuration reloaded", "retry", "onetime"],
            new[] { ApplyTrigger.KeysChanged, ApplyTrigger.ConfigurationReloaded, ApplyTrigger.Retry, ApplyTrigger.OneTime }.Select(trigger => trigger.Label));
        Assert.Equal(
            ["socket", "refused", "mismatch", "drain-timeout", "unsupported"],
            Enum.GetValues<RuntimeFallback>().Select(fallback => RuntimeApplyResult.FellBack(fallback, "why").ReasonLabel));
        Assert.Null(RuntimeApplyResult.Done(1, TimeSpan.Zero).ReasonLabel);
    }

    private static ServiceFacts Facts(
        ReconcileStatus file, RuntimeFit runtime, bool hasReloadCommand = true, bool wasOwed = false, bool isOwed = true, bool dryRun = false) =>
        new(file, runtime, hasReloadCommand, wasOwed, isOwed, dryRun);

    private sealed record BeyondChange(string? Why) : RuntimeChange
    {
        public override string? ReloadReason => Why;

        public override string? Refusal => null;

        public override int CommandCount => 1;
    }
}
