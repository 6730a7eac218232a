namespace Reconciler.Actors.State;

/// <summary>
/// The entries of a state as an array in ordinal key order, so a prefix lookup is a binary search plus the matching
/// run. Built from the state's dictionary once, then derived from an earlier state's array by patching only the keys
/// that changed since: a change at 100,000 keys costs one array copy instead of a walk over the whole tree.
/// </summary>
internal static class SortedEntries
{
    public static KeyValuePair<string, string>[] Build(IReadOnlyDictionary<string, string> keys, int count)
    {
        var entries = new KeyValuePair<string, string>[count];
        var i = 0;
        foreach (var entry in keys)
        {
            entries[i++] = entry;
        }

        return entries;
    }

    /// <summary>
    /// <paramref name="earlier"/> with every key of <paramref name="touched"/> (ordinal order, no duplicates) replaced
    /// by its entry in <paramref name="keys"/>, or removed where <paramref name="keys"/> no longer has it.
    /// </summary>
    public static KeyValuePair<string, string>[] Derive(
        KeyValuePair<string, string>[] earlier, IReadOnlyList<string> touched, IReadOnlyDictionary<string, string> keys, int count)
    {
        var entries = new KeyValuePair<string, string>[count];
        var from = 0;
        var to = 0;
        foreach (var key in touched)
        {
            var at = LowerBound(earlier, key, from);
            Array.Copy(earlier, from, entries, to, at - from);
            to += at - from;
            from = at < earlier.Length && earlier[at].Key == key ? at + 1 : at;
            if (keys.TryGetValue(key, out var value))
            {
                entries[to++] = KeyValuePair.Create(key, value);
            }
        }

        Array.Copy(earlier, from, entries, to, earlier.Length - from);
        return entries;
    }

    /// <summary>The entries whose key starts with <paramref name="prefix"/> (plain string prefix), in ordinal key order.</summary>
    public static IEnumerable<KeyValuePair<string, string>> StartingWith(KeyValuePair<string, string>[] entries, string prefix)
    {
        for (var i = LowerBound(entries, prefix, 0); i < entries.Length && entries[i].Key.StartsWith(prefix, StringComparison.Ordinal); i++)
        {
            yield return entries[i];
        }
    }

    /// <summary>How many keys start with <paramref name="prefix"/>: two binary searches, the run is contiguous.</summary>
    public static int CountStartingWith(KeyValuePair<string, string>[] entries, string prefix)
    {
        var first = LowerBound(entries, prefix, 0);
        var low = first;
        var high = entries.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (entries[middle].Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low - first;
    }

    /// <summary>The ordinal union of two ordinally sorted key lists without duplicates.</summary>
    public static string[] Union(IReadOnlyList<string> first, IReadOnlyList<string> second)
    {
        var union = new List<string>(first.Count + second.Count);
        var i = 0;
        var j = 0;
        while (i < first.Count || j < second.Count)
        {
            var order = i == first.Count ? 1 : j == second.Count ? -1 : string.CompareOrdinal(first[i], second[j]);
            union.Add(order <= 0 ? first[i] : second[j]);
            i += order <= 0 ? 1 : 0;
            j += order >= 0 ? 1 : 0;
        }

        return [.. union];
    }

    /// <summary>Index of the first entry at or after <paramref name="start"/> whose key is not ordinally less than <paramref name="key"/>.</summary>
    private static int LowerBound(KeyValuePair<string, string>[] entries, string key, int start)
    {
        var low = start;
        var high = entries.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (string.CompareOrdinal(entries[middle].Key, key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
