namespace Reconciler.Actors.Templates;

/// <summary>
/// Where <c>haproxySlots</c> put each value in a template's last render, per call of it in the template. A value keeps
/// its slot for as long as it stays, so another value arriving or leaving never moves it: with hashing alone, a value
/// that had collided would slide into the slot a leaving one freed, and the runtime API would drain it for nothing.
/// A new value takes the slot its hash names, or the next free one. When the slot count changes (the pool outgrew it)
/// every value is placed afresh; the file then changes beyond its server lines and HAProxy reloads anyway.
/// </summary>
internal sealed class SlotAssignments
{
    private readonly object _gate = new();
    private readonly Dictionary<int, string?[]> _previous = [];

    /// <param name="call">Which haproxySlots call of the template this is (0 for the first in a render).</param>
    /// <param name="values">Distinct values, in a fixed order (new values are placed in it).</param>
    /// <param name="minimum">The fewest slots; doubled until every value fits.</param>
    public string?[] Assign(int call, IReadOnlyList<string> values, int minimum)
    {
        var capacity = (int)CapacityFor(values.Count, minimum);

        var slots = new string?[capacity];
        lock (_gate)
        {
            var kept = new HashSet<string>(StringComparer.Ordinal);
            if (_previous.TryGetValue(call, out var previous) && previous.Length == capacity)
            {
                var current = values.ToHashSet(StringComparer.Ordinal);
                for (var i = 0; i < capacity; i++)
                {
                    if (previous[i] is { } value && current.Contains(value))
                    {
                        slots[i] = value;
                        kept.Add(value);
                    }
                }
            }

            foreach (var value in values.Where(v => !kept.Contains(v)))
            {
                var at = HomeSlot(value, capacity);
                while (slots[at] is not null)
                {
                    at = (at + 1) % capacity;
                }

                slots[at] = value;
            }

            _previous[call] = slots;
        }

        return slots;
    }

    /// <summary>Where each call of the last render put its values, to keep beyond this process (see <c>SlotState</c>).</summary>
    public IReadOnlyDictionary<int, string?[]> Snapshot()
    {
        lock (_gate)
        {
            return _previous.ToDictionary(kv => kv.Key, kv => (string?[])kv.Value.Clone());
        }
    }

    /// <summary>Takes the assignments a previous process (or this template's previous text) left, as if it had rendered them.</summary>
    public void Restore(IReadOnlyDictionary<int, string?[]> assignments)
    {
        lock (_gate)
        {
            _previous.Clear();
            foreach (var (call, slots) in assignments)
            {
                // a state file edited or damaged by hand: a slot list that is missing or names a value twice is dropped
                if (slots is not null && slots.Where(v => v is not null).Distinct(StringComparer.Ordinal).Count() == slots.Count(v => v is not null))
                {
                    _previous[call] = (string?[])slots.Clone();
                }
            }
        }
    }

    /// <summary>How many slots <paramref name="count"/> values take: <paramref name="minimum"/>, doubled until they fit.</summary>
    public static long CapacityFor(int count, int minimum)
    {
        long capacity = minimum;
        while (capacity < count)
        {
            capacity *= 2;
        }

        return capacity;
    }

    /// <summary>The slot (from 0) a new value takes when it is free: a hash of the value, the same in every process.</summary>
    internal static int HomeSlot(string value, int capacity) => (int)(Fnv1a(value) % (uint)capacity);

    // the same in every process, unlike string.GetHashCode: a restarted daemon places new values where its predecessor did
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }
}
