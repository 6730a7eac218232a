using Reconciler.Actors.Applying;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Applying;

public sealed class FailureStreakTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 8, 4, 0, 0, TimeSpan.Zero);
    private readonly FailureStreak _streak = new();

    [Fact]
    public void Retries_that_fail_the_same_way_are_said_once_then_every_ten_minutes_with_the_count()
    {
        var first = _streak.Observe("check failed: exit 1", 5, Start);
        var kinds = Enumerable.Range(1, 40).Select(i => _streak.Observe("check failed: exit 1", 5, Start + TimeSpan.FromSeconds(30 * i))).ToList();

        Assert.Equal(FailureReportKind.Started, first.Kind);
        Assert.True(first.IsRecorded && first.IsLogged);
        Assert.Null(first.Repeats);
        var said = kinds.Where(report => report.Kind != FailureReportKind.Repeated).ToList();
        Assert.Equal([FailureReportKind.StillFailing, FailureReportKind.StillFailing], said.Select(report => report.Kind));
        Assert.Equal([21, 41], said.Select(report => report.Repeats));
        Assert.All(said, report => Assert.Equal(Start, report.Since));
        Assert.All(said, report => Assert.True(report.IsRecorded && !report.IsLogged));
        Assert.All(kinds.Where(report => report.Kind == FailureReportKind.Repeated), report => Assert.False(report.IsRecorded || report.IsLogged));
    }

    [Fact]
    public void A_failure_the_operator_asked_for_again_is_said_in_full_as_a_new_streak()
    {
        _streak.Observe("render failed: stopped after 0.5s", 1, Start);
        _streak.AskedAgain();
        var asked = _streak.Observe("render failed: stopped after 0.5s", 1, Start + TimeSpan.FromSeconds(2));
        var retried = _streak.Observe("render failed: stopped after 0.5s", 1, Start + TimeSpan.FromSeconds(4));

        Assert.Equal(FailureReportKind.Started, asked.Kind);
        Assert.True(asked.IsRecorded && asked.IsLogged);
        Assert.Null(asked.Ended);
        Assert.Equal(FailureReportKind.Repeated, retried.Kind);
    }

    [Fact]
    public void A_success_after_a_streak_clears_it_with_the_count_and_the_next_failure_starts_anew()
    {
        _streak.Observe("reload failed: exit 2", 5, Start);
        _streak.Observe("reload failed: exit 2", 5, Start + TimeSpan.FromSeconds(1));
        _streak.Observe("reload failed: exit 2", 5, Start + TimeSpan.FromSeconds(3));

        var cleared = _streak.Observe(null, 5, Start + TimeSpan.FromSeconds(9));
        var quiet = _streak.Observe(null, 6, Start + TimeSpan.FromSeconds(10));
        var again = _streak.Observe("reload failed: exit 2", 5, Start + TimeSpan.FromSeconds(11));

        Assert.Equal((FailureReportKind.Cleared, 3, Start, "reload failed: exit 2"), (cleared.Kind, cleared.Tries, cleared.Since, cleared.Reason));
        Assert.True(cleared.IsRecorded && cleared.IsLogged);
        Assert.Same(FailureReport.Succeeded, quiet);
        Assert.Equal(FailureReportKind.Started, again.Kind);
        Assert.Null(again.Ended);
    }

    [Theory]
    [InlineData("check failed: exit 1", 6)] // the keys changed
    [InlineData("check failed: timed out", 5)] // the same keys fail another way
    public void Another_revision_or_reason_starts_a_new_streak_ending_the_old_one(string reason, long revision)
    {
        _streak.Observe("check failed: exit 1", 5, Start);
        _streak.Observe("check failed: exit 1", 5, Start + TimeSpan.FromSeconds(1));

        var next = _streak.Observe(reason, revision, Start + TimeSpan.FromSeconds(2));

        Assert.Equal(FailureReportKind.Started, next.Kind);
        Assert.Equal((FailureReportKind.Cleared, 2, "check failed: exit 1"), (next.Ended?.Kind, next.Ended?.Tries, next.Ended?.Reason));
    }

    [Fact]
    public void The_streak_lines_name_the_template_the_count_and_the_reason_escaped()
    {
        var logs = new CapturingLoggerFactory();
        var logger = logs.CreateLogger("apply");
        _streak.Observe("check failed: bad \u001b[31m", 5, Start);
        var still = _streak.Observe("check failed: bad \u001b[31m", 5, Start + FailureStreak.StillFailingEvery);
        var cleared = _streak.Observe(null, 5, Start + FailureStreak.StillFailingEvery + TimeSpan.FromSeconds(30));

        still.Write(logger, "haproxy");
        cleared.Write(logger, "haproxy");

        Assert.Equal(
            [
                @"haproxy still failing (2 tries since 2026-12-08 04:00:00Z): check failed: bad \x1b[31m",
                @"haproxy no longer failing after 2 tries since 2026-12-08 04:00:00Z: check failed: bad \x1b[31m",
            ],
            logs.Lines.Select(line => line.Message));
    }
}
