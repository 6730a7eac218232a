using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

/// <summary>
/// The key-ordered entries and value-sorted views a state derives from an earlier state's must equal those built
/// afresh, whichever states in between were never asked (their changes then add up).
/// </summary>
public class DesiredStateViewsTests
{
    private static readonly string[] NeighbourKeys = ["/apps/web", "/apps/web/a", "/apps/web/b/c", "/apps/webby/x", "/other"];

    [Fact]
    public void Views_derived_change_after_change_equal_views_built_from_scratch()
    {
        var random = new Random(12);
        var state = DesiredState.From(Enumerable.Range(0, 200).Select(i => KeyValuePair.Create($"/k/{i}", Value(random))), 1);
        for (var step = 0; step < 300; step++)
        {
            var events = Enumerable.Range(0, random.Next(1, 6))
                .Select(_ => random.Next(4) == 0 ? KeyEvent.Delete(Key(random), step) : KeyEvent.Put(Key(random), Value(random), step))
                .ToList();
            state = state.Apply(events, step + 2).State;

            // Ask only some states, so derivations span several changes.
            if (random.Next(3) == 0)
            {
                AssertViewsMatchAFreshBuild(state);
            }
        }
    }

    [Fact]
    public async Task States_derived_while_other_threads_build_their_predecessors_views_are_still_correct()
    {
        var random = new Random(7);
        var states = new List<DesiredState> { DesiredState.From(Enumerable.Range(0, 300).Select(i => KeyValuePair.Create($"/k/{i}", $"v{i % 40}")), 1) };
        for (var step = 0; step < 200; step++)
        {
            states.Add(states[^1].Apply([KeyEvent.Put(Key(random), Value(random), step + 2)], step + 2).State);
        }

        // Readers race through the chain in both directions while it is asked for the first time.
        var readers = new[] { states, Enumerable.Reverse(states).ToList(), states }
            .Select(order => Task.Run(() => order.ForEach(state => state.SortedValues("under /k/2", "/k/2", _ => true))));
        await Task.WhenAll(readers);

        Assert.All(states, state => Assert.Equal(Expected(state, "/k/2", _ => true), state.SortedValues("under /k/2", "/k/2", _ => true)));
    }

    [Fact]
    public void A_change_of_most_keys_is_built_afresh_and_still_correct()
    {
        var state = DesiredState.From(Enumerable.Range(0, 100).Select(i => KeyValuePair.Create($"/k/{i:D3}", $"v{i}")), 1);
        AssertViewsMatchAFreshBuild(state);

        var (next, _) = state.Apply([.. Enumerable.Range(0, 90).Select(i => KeyEvent.Put($"/k/{i:D3}", $"w{99 - i}", 2))], 2);

        AssertViewsMatchAFreshBuild(next);
    }

    [Fact]
    public void Equal_values_are_each_kept_and_removed_once()
    {
        var state = DesiredState.From(new Dictionary<string, string> { ["/k/a"] = "same", ["/k/b"] = "same", ["/k/c"] = "other" }, 1);
        Assert.Equal(["other", "same", "same"], Selected(state));

        var (next, _) = state.Apply([KeyEvent.Delete("/k/a", 2), KeyEvent.Put("/k/c", "same", 2)], 2);

        Assert.Equal(["same", "same"], Selected(next));
    }

    [Fact]
    public void CountUnder_counts_the_prefix_key_and_the_keys_below_it_on_segment_boundaries()
    {
        var state = DesiredState.From(NeighbourKeys
            .ToDictionary(key => key, key => key), 1);

        Assert.Equal(3, state.CountUnder("/apps/web"));
        Assert.Equal(3, state.CountUnder("/apps/web/"));
        Assert.Equal(5, state.CountUnder("/"));
        Assert.Equal(0, state.CountUnder("/apps/we"));
        Assert.Equal(state.Under("/apps").Count(), state.CountUnder("/apps"));
    }

    private static string[] Selected(DesiredState state) => state.SortedValues("/k/*", "/k/", _ => true);

    private static void AssertViewsMatchAFreshBuild(DesiredState state)
    {
        var fresh = DesiredState.From(state.Keys, state.Revision);
        Assert.Equal(fresh.StartingWith(string.Empty), state.StartingWith(string.Empty));
        Assert.Equal(fresh.StartingWith("/k/1"), state.StartingWith("/k/1"));
        Assert.Equal(fresh.Under("/k").Count(), state.CountUnder("/k"));
        Assert.Equal(Expected(state, "/k/", key => key.EndsWith('0')), state.SortedValues("ends in 0", "/k/", key => key.EndsWith('0')));
        Assert.Equal(Expected(state, "/k/2", _ => true), state.SortedValues("under /k/2", "/k/2", _ => true));
    }

    private static IEnumerable<string> Expected(DesiredState state, string keyStart, Func<string, bool> selects) =>
        state.Keys.Where(entry => entry.Key.StartsWith(keyStart, StringComparison.Ordinal) && selects(entry.Key))
            .Select(entry => entry.Value).Order(StringComparer.Ordinal);

    private static string Key(Random random) => $"/k/{random.Next(300)}";

    private static string Value(Random random) => $"v{random.Next(50)}";
}
