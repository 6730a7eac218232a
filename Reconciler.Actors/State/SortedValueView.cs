namespace Reconciler.Actors.State;

/// <summary>
/// The values of the keys one filter selects, in ordinal value order (confd's <c>getvs</c>), cached with a state.
/// A later state derives its view by merging in only the values of keys that changed, instead of sorting them all.
/// </summary>
internal sealed class SortedValueView
{
    private SortedValueView(string keyStart, Func<string, bool> selects, string[] values, long lastUsed)
    {
        KeyStart = keyStart;
        Selects = selects;
        Values = values;
        LastUsed = lastUsed;
    }

    /// <summary>Every selected key starts with this text.</summary>
    public string KeyStart { get; }

    public Func<string, bool> Selects { get; }

    /// <summary>Sorted ordinally; never changed once made, so states and callers share it.</summary>
    public string[] Values { get; }

    /// <summary>Generation of the last state the view was asked of: views nobody asks for are not carried forever.</summary>
    public long LastUsed { get; set; }

    public static SortedValueView Build(KeyValuePair<string, string>[] entries, string keyStart, Func<string, bool> selects, long generation)
    {
        string[] values = [.. SortedEntries.StartingWith(entries, keyStart).Where(entry => selects(entry.Key)).Select(entry => entry.Value)];
        Array.Sort(values, StringComparer.Ordinal);
        return new SortedValueView(keyStart, selects, values, generation);
    }

    /// <summary>This view as of <paramref name="keys"/>, given the keys <paramref name="touched"/> since <paramref name="earlierKeys"/>.</summary>
    public SortedValueView Derive(
        IReadOnlyList<string> touched, IReadOnlyDictionary<string, string> earlierKeys, IReadOnlyDictionary<string, string> keys)
    {
        var removals = new List<string>();
        var additions = new List<string>();
        foreach (var key in touched)
        {
            if (key.StartsWith(KeyStart, StringComparison.Ordinal) && Selects(key))
            {
                if (earlierKeys.TryGetValue(key, out var old))
                {
                    removals.Add(old);
                }

                if (keys.TryGetValue(key, out var now))
                {
                    additions.Add(now);
                }
            }
        }

        if (removals.Count == 0 && additions.Count == 0)
        {
            return new SortedValueView(KeyStart, Selects, Values, LastUsed);
        }

        removals.Sort(StringComparer.Ordinal);
        additions.Sort(StringComparer.Ordinal);
        return new SortedValueView(KeyStart, Selects, Merge(Values, removals, additions), LastUsed);
    }

    /// <summary>One pass over <paramref name="values"/>: each removal drops one equal value, each addition goes in at its place.</summary>
    private static string[] Merge(string[] values, List<string> removals, List<string> additions)
    {
        var merged = new string[values.Length - removals.Count + additions.Count];
        var to = 0;
        var removal = 0;
        var addition = 0;
        foreach (var value in values)
        {
            while (addition < additions.Count && string.CompareOrdinal(additions[addition], value) < 0)
            {
                merged[to++] = additions[addition++];
            }

            if (removal < removals.Count && removals[removal] == value)
            {
                removal++;
                continue;
            }

            merged[to++] = value;
        }

        while (addition < additions.Count)
        {
            merged[to++] = additions[addition++];
        }

        return merged;
    }
}
