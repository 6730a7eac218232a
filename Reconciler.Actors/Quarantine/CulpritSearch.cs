namespace Reconciler.Actors.Quarantine;

/// <summary>
/// Finds which of the keys changed since the last good file make a check refuse the render, with at most
/// <paramref name="maxChecks"/> checks. The first sets every change back: when even that is refused, the cause is not
/// in the keys (a template or environment change) and nothing is found. Otherwise, with the changes in key order, a
/// bisection finds the shortest refused run of them (the changes before it pass together and are kept, its last
/// change is a culprit); then the changes after it are checked together with the kept ones, and if refused, searched
/// the same way. So one culprit among n changes costs at most ceil(log2(n)) + 2 checks (8 or 9 at 100), k culprits
/// about k·(log2(n) + 1) + 1; a change refused only together with an earlier one makes the later one the culprit.
/// The changes kept always passed one check together, so the file without the culprits passes (unless the checker
/// changes its mind). Past the bound, or after a check that did not finish (timed out: the next could too), nothing
/// is found: the refusal stands, as without quarantine.
/// </summary>
internal sealed class CulpritSearch(int maxChecks)
{
    /// <param name="changed">The changed keys, in a fixed order (ordinal).</param>
    /// <param name="refusal">Why the render with every change was refused.</param>
    /// <param name="check">Checks a render with the changes of the given keys applied and every other change set back.</param>
    public async Task<CulpritSearchResult> FindAsync(IReadOnlyList<string> changed, string refusal, Func<IReadOnlySet<string>, Task<Trial>> check)
    {
        if (changed.Count == 0)
        {
            return CulpritSearchResult.None(0, "no key changed since the last good file");
        }

        var kept = new HashSet<string>(StringComparer.Ordinal);
        var culprits = new List<QuarantinedKey>();
        var checks = 0;
        var stopped = OverBound;

        // null: the search stops (the bound reached, or a check that did not finish)
        async Task<Trial?> TryAsync(IEnumerable<string> more)
        {
            if (checks == maxChecks)
            {
                return null;
            }

            checks++;
            var applied = new HashSet<string>(kept, StringComparer.Ordinal);
            applied.UnionWith(more);
            var trial = await check(applied);
            if (!trial.Finished)
            {
                stopped = $"a check did not finish: {trial.Reason}";
                return null;
            }

            return trial;
        }

        switch (await TryAsync([]))
        {
            case null:
                return CulpritSearchResult.None(checks, stopped);
            case { Passed: false }:
                return CulpritSearchResult.None(checks, "the check fails with every changed key set back");
        }

        // the kept changes pass; with all of remaining they are refused, for reason
        var (remaining, reason) = (changed.ToList(), refusal);
        while (remaining.Count > 0)
        {
            // the shortest refused run: run `passing` passes (0: the kept ones alone), run `refused` does not
            var (passing, refused) = (0, remaining.Count);
            while (refused - passing > 1)
            {
                var middle = passing + ((refused - passing) / 2);
                var trial = await TryAsync(remaining.Take(middle));
                if (trial is null)
                {
                    return CulpritSearchResult.None(checks, stopped);
                }

                (passing, refused, reason) = trial.Passed ? (middle, refused, reason) : (passing, middle, trial.Reason ?? reason);
            }

            kept.UnionWith(remaining.Take(passing));
            culprits.Add(new QuarantinedKey(remaining[passing], reason));
            remaining.RemoveRange(0, refused);
            if (remaining.Count == 0)
            {
                break;
            }

            var rest = await TryAsync(remaining);
            if (rest is null)
            {
                return CulpritSearchResult.None(checks, stopped);
            }

            if (rest.Passed)
            {
                kept.UnionWith(remaining);
                break;
            }

            reason = rest.Reason ?? reason;
        }

        return new CulpritSearchResult(true, [.. culprits], checks, null);
    }

    private string OverBound => $"not narrowed down within quarantine.max-checks = {maxChecks}";
}
