using System.Collections.Immutable;

namespace Reconciler.Actors.State;

internal static class KeyPrefixSet
{
    /// <summary>The prefixes that cover <paramref name="prefixes"/>, without duplicates or prefixes inside others.</summary>
    public static ImmutableArray<KeyPrefix> Minimal(IEnumerable<KeyPrefix> prefixes)
    {
        var distinct = prefixes.Distinct().OrderBy(p => p.Value.Length).ThenBy(p => p.Value, StringComparer.Ordinal).ToList();
        var kept = new List<KeyPrefix>();
        foreach (var prefix in distinct)
        {
            if (!kept.Any(prefix.IsWithin))
            {
                kept.Add(prefix);
            }
        }

        return [.. kept.OrderBy(p => p.Value, StringComparer.Ordinal)];
    }
}
