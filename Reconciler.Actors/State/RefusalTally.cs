namespace Reconciler.Actors.State;

/// <summary>
/// The keys one read or one fold step refused (<see cref="KeyLimits"/>): counted by reason, the first
/// <see cref="MostNamed"/> of each reason named (a flood of one kind hides no other), so a registry of a million
/// refused keys costs a few hundred names. Not thread-safe.
/// </summary>
public sealed class RefusalTally
{
    public const int MostNamed = 100;

    private readonly List<KeyRefusal> _named = [];
    private readonly int[] _counts = new int[Enum.GetValues<RefusalReason>().Length];

    public IReadOnlyList<KeyRefusal> Named => _named;

    public int Count => _counts.Sum();

    public int CountOf(RefusalReason reason) => _counts[(int)reason];

    /// <summary>The bytes of the refused values that had been decoded all the same (see <see cref="RefusedGarbage"/>).</summary>
    public long DecodedBytes { get; private set; }

    public void Add(KeyRefusal refusal, long decodedBytes = 0)
    {
        DecodedBytes += decodedBytes;
        if (++_counts[(int)refusal.Reason] <= MostNamed)
        {
            _named.Add(refusal);
        }
    }
}
