namespace Reconciler.Actors.Configuration;

/// <summary>
/// Protects a dest from a sudden loss of data (a wiped prefix, a half-restored etcd): a render
/// over fewer than <see cref="MinEntries"/> keys, or over more than <see cref="MaxShrinkPercent"/>
/// percent fewer keys than the last applied render, is held back. Zero turns a limit off.
/// </summary>
public sealed record ShrinkGuard(int MinEntries, int MaxShrinkPercent)
{
    public static readonly ShrinkGuard Off = new(0, 0);

    /// <summary>Why a render over <paramref name="entries"/> keys must be held back (what follows "held back by"), or null to let it through.</summary>
    public string? Violation(int entries, int? lastAppliedEntries)
    {
        if (MinEntries > 0 && entries < MinEntries)
        {
            return $"the shrink guard: {entries} keys is below min-entries = {MinEntries}";
        }

        if (MaxShrinkPercent > 0 && lastAppliedEntries is > 0 and var last && entries < last)
        {
            var shrink = (last - entries) * 100.0 / last;
            if (shrink > MaxShrinkPercent)
            {
                return $"the shrink guard: keys dropped from {last} to {entries} ({shrink:0.#}%), more than max-shrink-percent = {MaxShrinkPercent}";
            }
        }

        return null;
    }
}
