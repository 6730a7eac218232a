using Reconciler.Actors.Output;

namespace Reconciler.Tests.Output;

public sealed class ProcessTableTests
{
    [Theory]
    [InlineData("42 (sleep) S 7 42 42 0 -1", 42, 7, 42, 'S')]
    [InlineData("43 (a (b) c) Z 1 9 9 0", 43, 1, 9, 'Z')]
    public void A_stat_line_gives_pid_parent_group_and_state_whatever_the_command_name_holds(string stat, int id, int parent, int group, char state) =>
        Assert.Equal(new ProcessEntry(id, parent, group, state), ProcessEntry.Parse(stat));

    [Theory]
    [InlineData("")]
    [InlineData("42 (sleep")]
    [InlineData("x (sleep) S 7 42")]
    public void A_torn_stat_line_is_no_entry(string stat) => Assert.Null(ProcessEntry.Parse(stat));

    [Fact]
    public void The_tree_is_the_root_its_live_descendants_through_any_session_and_its_group_s_live_members()
    {
        var table = new ProcessTable(
        [
            new(100, 1, 100, 'S'),   // the command, leading its group
            new(101, 100, 100, 'S'), // a job
            new(102, 100, 102, 'S'), // a job that left the group (setsid)
            new(103, 102, 102, 'S'), // its child
            new(104, 1, 100, 'S'),   // a job of the group whose parent exited
            new(105, 100, 100, 'Z'), // exited, unreaped: nothing to end
            new(200, 1, 200, 'S'),   // someone else
            new(201, 200, 100, 'S'), // not a descendant, but in the group
        ]);

        Assert.Equal([100, 101, 102, 103, 104, 201], table.TreeOf(100).Order());
    }
}
