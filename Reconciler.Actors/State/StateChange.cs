using System.Collections.Immutable;

namespace Reconciler.Actors.State;

/// <summary>What one fold step did to the state, by key.</summary>
public sealed record StateChange(ImmutableArray<string> Added, ImmutableArray<string> Changed, ImmutableArray<string> Removed)
{
    public static readonly StateChange None = new([], [], []);

    public bool IsEmpty => Added.IsEmpty && Changed.IsEmpty && Removed.IsEmpty;

    public IEnumerable<string> Keys => Added.Concat(Changed).Concat(Removed);

    /// <summary>The part of this change that touches keys under any of <paramref name="prefixes"/>.</summary>
    public StateChange Under(IReadOnlyCollection<KeyPrefix> prefixes)
    {
        bool Covered(string key) => prefixes.Any(p => p.Covers(key));
        return new StateChange(
            [.. Added.Where(Covered)],
            [.. Changed.Where(Covered)],
            [.. Removed.Where(Covered)]);
    }

    /// <summary>Adds a later change to this one (for changes held back by a debounce window).</summary>
    public StateChange Then(StateChange later)
    {
        if (IsEmpty)
        {
            return later;
        }

        var added = Added.ToHashSet(StringComparer.Ordinal);
        var changed = Changed.ToHashSet(StringComparer.Ordinal);
        var removed = Removed.ToHashSet(StringComparer.Ordinal);
        foreach (var key in later.Added)
        {
            // removed then re-added is a change of the original key, not an addition
            if (removed.Remove(key))
            {
                changed.Add(key);
            }
            else
            {
                added.Add(key);
            }
        }

        foreach (var key in later.Changed)
        {
            if (!added.Contains(key))
            {
                changed.Add(key);
            }
        }

        foreach (var key in later.Removed)
        {
            changed.Remove(key);
            if (!added.Remove(key))
            {
                removed.Add(key);
            }
        }

        return new StateChange([.. added.Order(StringComparer.Ordinal)], [.. changed.Order(StringComparer.Ordinal)], [.. removed.Order(StringComparer.Ordinal)]);
    }

    public override string ToString() => $"+{Added.Length} ~{Changed.Length} -{Removed.Length}";
}
