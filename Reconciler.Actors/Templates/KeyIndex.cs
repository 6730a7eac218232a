using System.Runtime.CompilerServices;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Templates;

/// <summary>
/// The keys of one <see cref="DesiredState"/> as a sorted array, so a prefix lookup is a binary search
/// plus the matching run instead of a walk over the whole state. The state's sorted dictionary
/// has no seek, and the state is immutable, so one index per state is built on first use and shared by
/// every template rendering that state.
/// </summary>
internal sealed class KeyIndex
{
    private static readonly ConditionalWeakTable<DesiredState, KeyIndex> Indexes = new();

    private readonly KeyValuePair<string, string>[] entries;

    private KeyIndex(DesiredState state) => entries = [.. state.Keys];

    public static KeyIndex For(DesiredState state) => Indexes.GetValue(state, s => new KeyIndex(s));

    /// <summary>Entries whose key starts with <paramref name="prefix"/> (plain string prefix), in ordinal key order.</summary>
    public IEnumerable<KeyValuePair<string, string>> StartingWith(string prefix)
    {
        for (var i = LowerBound(prefix); i < entries.Length && entries[i].Key.StartsWith(prefix, StringComparison.Ordinal); i++)
        {
            yield return entries[i];
        }
    }

    /// <summary>Index of the first key not ordinally less than <paramref name="key"/>.</summary>
    private int LowerBound(string key)
    {
        var low = 0;
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
