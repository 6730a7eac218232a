using System.Collections.Immutable;

namespace Reconciler.Actors.State;

/// <summary>
/// Decides what of each watch batch the state may store (<see cref="KeyLimits"/>): a put over max-key-bytes or
/// max-value-bytes, or one that would take its prefix past max-prefix-bytes, is refused, and a refused put of a key the
/// state holds removes it (the state never keeps a value the registry no longer has). The source applies the same
/// limits before decoding a value (etcd's does); this is where the prefix's total is known. Not thread-safe: the state
/// actor's.
/// </summary>
internal sealed class StoreAdmission(KeyLimits limits, ImmutableArray<KeyPrefix> prefixes)
{
    private readonly PrefixBudget _budget = new(limits.MaxPrefixBytes);

    /// <summary>Counts what <paramref name="state"/> (a full read, within the limits) holds under each prefix.</summary>
    public void Reset(DesiredState state)
    {
        _budget.Clear();
        foreach (var (key, value) in state.Keys)
        {
            if (PrefixOf(key) is { } prefix)
            {
                _budget.Put(prefix, 0, KeyLimits.SizeOf(key, value));
            }
        }
    }

    /// <summary>
    /// The events of <paramref name="batch"/> as the state may fold them (a refused put becomes
    /// <see cref="KeyEventKind.Refused"/>, folded as a delete; one of a name no state can hold is dropped), and what was refused.
    /// </summary>
    public (IReadOnlyList<KeyEvent> Events, RefusalTally Refused) Admit(IReadOnlyList<KeyEvent> events, KeyPrefix batchPrefix, DesiredState state)
    {
        var refused = new RefusalTally();
        var admitted = new List<KeyEvent>(events.Count);
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal); // what each key touched so far holds now
        foreach (var e in events)
        {
            var prefix = PrefixOf(e.Key) ?? batchPrefix;
            if (e.Refusal is { Reason: RefusalReason.KeyBytes } tooLong)
            {
                refused.Add(tooLong);
                continue;
            }

            var oldBytes = bytes.TryGetValue(e.Key, out var held) ? held
                : state.TryGetValue(e.Key, out var stored) ? KeyLimits.SizeOf(e.Key, stored)
                : 0;
            var refusal = e.Kind switch
            {
                KeyEventKind.Refused => e.Refusal,
                KeyEventKind.Put => limits.Refuses(e.Key, e.Value),
                _ => null,
            };
            var newBytes = e.Kind == KeyEventKind.Put && refusal is null ? KeyLimits.SizeOf(e.Key, e.Value) : 0;
            if (e.Kind == KeyEventKind.Put && refusal is null && _budget.Put(prefix, oldBytes, newBytes) is { } wouldHold)
            {
                refusal = limits.OverPrefix(e.Key, wouldHold);
            }
            else if (e.Kind != KeyEventKind.Put || refusal is not null)
            {
                _budget.Remove(prefix, oldBytes);
            }

            if (refusal is null)
            {
                bytes[e.Key] = newBytes;
                admitted.Add(e);
                continue;
            }

            bytes[e.Key] = 0;
            refused.Add(refusal, e.Kind == KeyEventKind.Put ? KeyLimits.SizeOf(e.Key, e.Value) : 0);
            admitted.Add(KeyEvent.Refused(e.Key, refusal, e.ModRevision));
        }

        return (admitted, refused);
    }

    /// <summary>The watched prefix a key is under: the prefixes are minimal, so there is one at most.</summary>
    private KeyPrefix? PrefixOf(string key) => prefixes.FirstOrDefault(p => p.Covers(key));
}
