using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Tests.Templates;

public class KeyIndexTests
{
    [Fact]
    public void StartingWith_returns_the_contiguous_run_of_keys_with_that_string_prefix()
    {
        string[] keys = ["/a", "/b", "/b/x", "/b-c", "/ba", "/c"];
        var state = DesiredState.From(keys.Select(key => KeyValuePair.Create(key, key)), 1);
        var index = KeyIndex.For(state);

        Assert.Equal(["/b", "/b-c", "/b/x", "/ba"], index.StartingWith("/b").Select(entry => entry.Key));
        Assert.Equal(["/b/x"], index.StartingWith("/b/").Select(entry => entry.Key));
        Assert.Empty(index.StartingWith("/bb"));
        Assert.Empty(index.StartingWith("/d"));
        Assert.Equal(6, index.StartingWith(string.Empty).Count());
    }

    [Fact]
    public void One_index_is_built_per_state()
    {
        var state = DesiredState.From([KeyValuePair.Create("/a", "1")], 1);

        Assert.Same(KeyIndex.For(state), KeyIndex.For(state));
    }
}
