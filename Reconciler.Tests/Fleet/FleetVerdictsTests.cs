using Reconciler.Actors.Fleet;

namespace Reconciler.Tests.Fleet;

public sealed class FleetVerdictsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddHours(1);

    [Fact]
    public void In_sync_means_ok_at_or_past_the_newest_mod_revision_of_the_templates_keys()
    {
        var rows = FleetVerdicts.Judge([Record("a", 10), Record("b", 12), Record("c", 9), Record("d", 12, outcome: "check failed")], newestModRevision: 10, Now);

        Assert.Equal([true, true, false, false], rows.Select(r => r.InSync));
        Assert.Equal(["in sync", "in sync", "behind: its keys changed at 10", "check failed"], rows.Select(r => r.Verdict));
    }

    [Fact]
    public void A_node_whose_file_differs_from_the_others_at_the_same_revision_is_flagged()
    {
        var rows = FleetVerdicts.Judge([Record("a", 10, "f1"), Record("b", 10, "f1"), Record("c", 10, "f2"), Record("d", 9, "f3")], newestModRevision: 9, Now);

        Assert.Equal([false, false, true, false], rows.Select(r => r.Sha256Differs));
        Assert.Equal("sha256 differs from the other nodes' at this revision", rows[2].Verdict);
        Assert.True(rows[2].InSync); // serving the registry's data, only through another file
    }

    [Fact]
    public void Two_nodes_disagreeing_with_no_majority_are_both_flagged_and_age_counts_from_applied_at()
    {
        var rows = FleetVerdicts.Judge([Record("a", 10, "f1"), Record("b", 10, "f2")], newestModRevision: 10, Now);

        Assert.All(rows, r => Assert.True(r.Sha256Differs));
        Assert.Equal(3600, rows[0].AgeSeconds);
        Assert.Equal(["5s", "2m", "3h", "4d"], new[] { 5L, 150, 3 * 3600 + 5, 4 * 86400 }.Select(FleetVerdicts.Age));
    }

    private static FleetRecord Record(string node, long revision, string sha256 = "f1", string outcome = "ok") =>
        new(node, "t", revision, sha256, outcome, "reload", DateTimeOffset.UnixEpoch, "1");
}
