using Reconciler.Actors.Journal;
using Reconciler.Host.CommandLine;

namespace Reconciler.Tests.Journal;

public sealed class HistoryTableTests
{
    private static readonly JournalEntry Failed =
        new(7, DateTimeOffset.UnixEpoch, "haproxy", 5, [], [], [], "check failed: [ALERT] bad", "none", null, "failed", 12);

    [Fact]
    public void A_still_failing_entry_shows_its_count_in_the_outcome_column_and_others_as_before()
    {
        var lines = HistoryTable.Lines([Failed, Failed with { Sequence = 8, Repeats = 21 }]).ToList();

        Assert.Equal("failed", HistoryTable.Outcome(Failed));
        Assert.Equal("failed (21 tries)", HistoryTable.Outcome(Failed with { Repeats = 21 }));
        Assert.Contains("  failed  ", lines[1], StringComparison.Ordinal);
        Assert.Contains("  failed (21 tries)  ", lines[2], StringComparison.Ordinal);
    }
}
