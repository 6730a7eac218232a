using Reconciler.Actors.Applying;
using Reconciler.Actors.Fleet;
using Reconciler.Actors.Output;
using Reconciler.Actors.Quarantine;
using Reconciler.Actors.State;

namespace Reconciler.Tests.Fleet;

public sealed class AppliedFilesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private static readonly CommandResult ReloadOk = new(0, string.Empty, TimeSpan.Zero, TimedOut: false);
    private static readonly CommandResult ReloadFailed = new(1, "no", TimeSpan.Zero, TimedOut: false);
    private readonly AppliedFiles _files = new();

    [Fact]
    public void A_written_file_carries_the_revision_it_was_rendered_from_and_how_it_was_applied()
    {
        var applied = _files.After(Reconciled(7, ReconcileStatus.Written, ReloadOk), "aaa", Now);

        Assert.Equal(new TemplateApplied("t", 7, "aaa", FleetOutcome.Ok, ApplyHow.Reload, Now), applied);
    }

    [Fact]
    public void A_refused_check_keeps_the_revision_of_the_file_still_in_place()
    {
        _files.After(Reconciled(7, ReconcileStatus.Written, ReloadOk), "aaa", Now);

        var refused = _files.After(Reconciled(9, ReconcileStatus.CheckFailed, null), "aaa", Now);

        Assert.Equal((7, "aaa", FleetOutcome.CheckFailed, ApplyHow.None), (refused.Revision, refused.Sha256, refused.Outcome, refused.How));
    }

    [Fact]
    public void An_unchanged_render_moves_the_file_to_the_newer_revision_it_equals()
    {
        _files.After(Reconciled(7, ReconcileStatus.Written, ReloadOk), "aaa", Now);

        Assert.Equal(12, _files.After(Reconciled(12, ReconcileStatus.Unchanged, null), "aaa", Now).Revision);
    }

    [Fact]
    public void A_failed_reload_rolled_back_reports_the_previous_file_and_one_not_rolled_back_the_new_one()
    {
        _files.After(Reconciled(7, ReconcileStatus.Written, ReloadOk), "aaa", Now);

        var rolledBack = _files.After(Reconciled(9, ReconcileStatus.Written, ReloadFailed), "aaa", Now);
        Assert.Equal((7, FleetOutcome.ReloadFailed), (rolledBack.Revision, rolledBack.Outcome));

        var kept = _files.After(Reconciled(10, ReconcileStatus.Written, ReloadFailed), "bbb", Now);
        Assert.Equal((10, FleetOutcome.ReloadFailed), (kept.Revision, kept.Outcome));

        // still owed: an unchanged render that does not reload is no success
        Assert.Equal(FleetOutcome.ReloadFailed, _files.After(Reconciled(11, ReconcileStatus.Unchanged, null), "bbb", Now).Outcome);
    }

    [Fact]
    public void A_failure_before_any_known_file_says_revision_0_and_held_back_and_quarantined_are_no_ok()
    {
        Assert.Equal(0, _files.After(Reconciled(7, ReconcileStatus.RenderFailed, null), "old", Now).Revision);
        Assert.Equal(FleetOutcome.HeldBack, _files.After(Reconciled(8, ReconcileStatus.HeldBack, null), "old", Now).Outcome);

        var quarantined = new ReconcileOutcome("t", "/tmp/t", 9, StateChange.None, ReconcileStatus.Written, 1, TimeSpan.Zero, null, null)
        {
            Quarantined = [new QuarantinedKey("/apps/x", "refused")],
        };
        Assert.Equal(FleetOutcome.Quarantined, _files.After(new TemplateReconciled(quarantined, ReloadOk), "new", Now).Outcome);
    }

    private static TemplateReconciled Reconciled(long revision, ReconcileStatus status, CommandResult? reload) =>
        new(new ReconcileOutcome("t", "/tmp/t", revision, StateChange.None, status, 1, TimeSpan.Zero, null, status is ReconcileStatus.Written or ReconcileStatus.Unchanged ? null : "failed"), reload);
}
