using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

public class StateChangeTests
{
    [Fact]
    public void Then_merges_a_later_change_into_a_pending_one()
    {
        var first = new StateChange(["/a", "/b"], ["/c"], ["/d"]);
        var later = new StateChange(["/d"], ["/a"], ["/b", "/c"]);

        var merged = first.Then(later);

        Assert.Equal<string>(["/a"], merged.Added); // added then changed is still an addition
        Assert.Equal<string>(["/d"], merged.Changed); // removed then re-added is a change
        Assert.Equal<string>(["/c"], merged.Removed); // added then removed is nothing at all
    }

    [Fact]
    public void Under_keeps_only_keys_a_template_reads()
    {
        var change = new StateChange(["/apps/web/1", "/apps/webby/1"], [], ["/other/x"]);

        var under = change.Under([new KeyPrefix("/apps/web")]);

        Assert.Equal<string>(["/apps/web/1"], under.Added);
        Assert.Empty(under.Removed);
        Assert.Equal("+1 ~0 -0", under.ToString());
    }
}
