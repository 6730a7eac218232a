using Reconciler.Actors.State;

namespace Reconciler.Tests.State;

public class SortedEntriesTests
{
    [Fact]
    public void StartingWith_returns_the_contiguous_run_of_keys_with_that_string_prefix()
    {
        var entries = Entries("/a", "/b", "/b-c", "/b/x", "/ba", "/c");

        Assert.Equal(["/b", "/b-c", "/b/x", "/ba"], SortedEntries.StartingWith(entries, "/b").Select(entry => entry.Key));
        Assert.Equal(["/b/x"], SortedEntries.StartingWith(entries, "/b/").Select(entry => entry.Key));
        Assert.Empty(SortedEntries.StartingWith(entries, "/bb"));
        Assert.Empty(SortedEntries.StartingWith(entries, "/d"));
        Assert.Equal(6, SortedEntries.StartingWith(entries, string.Empty).Count());
    }

    [Fact]
    public void CountStartingWith_counts_the_run_without_walking_it()
    {
        var entries = Entries("/a", "/b", "/b-c", "/b/x", "/ba", "/c");

        Assert.Equal(4, SortedEntries.CountStartingWith(entries, "/b"));
        Assert.Equal(1, SortedEntries.CountStartingWith(entries, "/b/"));
        Assert.Equal(0, SortedEntries.CountStartingWith(entries, "/bb"));
        Assert.Equal(6, SortedEntries.CountStartingWith(entries, string.Empty));
    }

    [Fact]
    public void Derive_puts_added_keys_in_place_replaces_changed_values_and_drops_removed_keys()
    {
        var earlier = Entries("/b", "/d", "/f");
        var now = new Dictionary<string, string> { ["/a"] = "/a", ["/b"] = "new", ["/f"] = "/f", ["/g"] = "/g" };

        var derived = SortedEntries.Derive(earlier, ["/a", "/b", "/d", "/g"], now, now.Count);

        Assert.Equal(now.OrderBy(entry => entry.Key, StringComparer.Ordinal), derived);
    }

    [Fact]
    public void Union_merges_two_sorted_key_lists_without_duplicates()
    {
        Assert.Equal(["/a", "/b", "/c", "/d"], SortedEntries.Union(["/a", "/c"], ["/b", "/c", "/d"]));
        Assert.Equal(["/a"], SortedEntries.Union([], ["/a"]));
    }

    private static KeyValuePair<string, string>[] Entries(params string[] keys) =>
        [.. keys.Order(StringComparer.Ordinal).Select(key => KeyValuePair.Create(key, key))];
}
