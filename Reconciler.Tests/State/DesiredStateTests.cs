using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

public class DesiredStateTests
{
    [Fact]
    public void Puts_and_deletes_fold_into_the_state_with_their_revision()
    {
        var (state, change) = DesiredState.Empty.Apply(
            [KeyEvent.Put("/a/1", "x", 5), KeyEvent.Put("/a/2", "y", 6), KeyEvent.Delete("/a/1", 7)],
            7);

        Assert.Equal(7, state.Revision);
        Assert.Equal(new Dictionary<string, string> { ["/a/2"] = "y" }, state.Keys);
        Assert.Equal<string>(["/a/2"], change.Added);
        Assert.Empty(change.Removed);
    }

    [Fact]
    public void A_change_reports_added_changed_and_removed_keys()
    {
        var before = DesiredState.From(new Dictionary<string, string> { ["/k/a"] = "1", ["/k/b"] = "2" }, 10);

        var (_, change) = before.Apply([KeyEvent.Put("/k/a", "9", 11), KeyEvent.Delete("/k/b", 12), KeyEvent.Put("/k/c", "3", 13)], 13);

        Assert.Equal<string>(["/k/c"], change.Added);
        Assert.Equal<string>(["/k/a"], change.Changed);
        Assert.Equal<string>(["/k/b"], change.Removed);
    }

    [Fact]
    public void A_put_of_the_same_value_or_a_delete_of_a_missing_key_changes_nothing()
    {
        var before = DesiredState.From(new Dictionary<string, string> { ["/k/a"] = "1" }, 10);

        var (after, change) = before.Apply([KeyEvent.Put("/k/a", "1", 11), KeyEvent.Delete("/k/zz", 12)], 12);

        Assert.True(change.IsEmpty);
        Assert.Same(before.Keys, after.Keys);
        Assert.Equal(12, after.Revision);
    }

    [Fact]
    public void Applying_never_mutates_the_snapshot_a_renderer_holds()
    {
        var shared = DesiredState.From(new Dictionary<string, string> { ["/k/a"] = "1" }, 1);

        shared.Apply([KeyEvent.Put("/k/a", "2", 2), KeyEvent.Put("/k/b", "3", 2)], 2);

        Assert.Equal("1", shared.Keys["/k/a"]);
        Assert.Equal(1, shared.Count);
    }

    [Fact]
    public void A_full_read_into_the_empty_state_adds_every_key_in_key_order()
    {
        var read = new Dictionary<string, string> { ["/k/b"] = "2", ["/k/a"] = "1" };

        var (state, change) = DesiredState.Empty.Reloaded(read, 20);

        Assert.Equal(read, state.Keys);
        Assert.Equal(20, state.Revision);
        Assert.Equal<string>(["/k/a", "/k/b"], change.Added);
        Assert.Equal("+2 ~0 -0", change.ToString());
    }

    [Fact]
    public void A_full_read_into_a_loaded_state_reports_the_difference()
    {
        var current = DesiredState.From(new Dictionary<string, string> { ["/k/a"] = "1", ["/k/b"] = "2" }, 10);

        var (state, change) = current.Reloaded(new Dictionary<string, string> { ["/k/a"] = "1", ["/k/c"] = "3" }, 20);

        Assert.Equal(20, state.Revision);
        Assert.Equal<string>(["/k/c"], change.Added);
        Assert.Empty(change.Changed);
        Assert.Equal<string>(["/k/b"], change.Removed);
    }

    [Fact]
    public void A_full_read_at_a_lower_revision_after_etcd_was_restored_takes_the_reads_revision()
    {
        var current = DesiredState.From(new Dictionary<string, string> { ["/k/a"] = "1", ["/k/b"] = "2" }, 50);

        var (state, change) = current.Reloaded(new Dictionary<string, string> { ["/k/a"] = "old" }, 7);

        Assert.Equal(7, state.Revision);
        Assert.Equal(new Dictionary<string, string> { ["/k/a"] = "old" }, state.Keys);
        Assert.Equal("+0 ~1 -1", change.ToString());
    }

    [Fact]
    public void The_difference_to_a_full_read_turns_the_state_into_it()
    {
        var current = DesiredState.From(new Dictionary<string, string> { ["/k/a"] = "1", ["/k/b"] = "2", ["/k/c"] = "3" }, 10);
        var reread = new Dictionary<string, string> { ["/k/a"] = "1", ["/k/b"] = "changed", ["/k/d"] = "4" };

        var events = current.DifferenceTo(reread, 20);
        var (after, change) = current.Apply(events, 20);

        Assert.Equal(reread, after.Keys);
        Assert.Equal<string>(["/k/d"], change.Added);
        Assert.Equal<string>(["/k/b"], change.Changed);
        Assert.Equal<string>(["/k/c"], change.Removed);
        Assert.DoesNotContain(events, e => e.Key == "/k/a");
    }

    [Fact]
    public void Under_returns_keys_on_segment_boundaries_in_key_order()
    {
        var state = DesiredState.From(
            new Dictionary<string, string> { ["/apps/web/2"] = "b", ["/apps/webby/x"] = "no", ["/apps/web"] = "root", ["/apps/web/1"] = "a" },
            1);

        Assert.Equal(["/apps/web", "/apps/web/1", "/apps/web/2"], state.Under("/apps/web").Select(kv => kv.Key));
    }
}
