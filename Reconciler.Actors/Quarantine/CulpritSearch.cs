using System.Collections.Immutable;

namespace Reconciler.Actors.Quarantine;

/// <summary>
/// Finds which of the keys changed since the last good file make a check refuse the render, with at most
/// <paramref name="maxChecks"/> checks. The first sets every change back: when even that is refused, the cause is not
/// in the keys (a template or environment change) and nothing is found. Otherwise the changes are bisected in key
/// order, keeping a set of changes known to pass together: a half that passes with it joins it, a half that is
/// refused is split again, down to single keys, each a culprit. So one culprit among n costs about log2(n) + 1 checks,
/// k culprits about k·log2(n); a change that is refused only together with another makes the later of the two the
/// culprit. The changes kept always passed one check together, so the file without the culprits passes too (unless
/// the checker itself changes its mind). Past the bound nothing is found: the refusal stands, as without quarantine.
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

        var run = new Run(maxChecks, check);
        var setBack = await run.TryAsync([]);
        if (setBack is null)
        {
            return CulpritSearchResult.None(run.Checks, "quarantine.max-checks is 0");
        }

        if (!setBack.Passed)
        {
            return CulpritSearchResult.None(run.Checks, "the check fails with every changed key set back");
        }

        return await run.NarrowAsync([.. changed], refusal)
            ? new CulpritSearchResult(true, [.. run.Culprits], run.Checks, null)
            : CulpritSearchResult.None(run.Checks, $"not narrowed down within quarantine.max-checks = {maxChecks}");
    }

    private sealed class Run(int maxChecks, Func<IReadOnlySet<string>, Task<Trial>> check)
    {
        private readonly HashSet<string> _kept = new(StringComparer.Ordinal);

        public List<QuarantinedKey> Culprits { get; } = [];

        public int Checks { get; private set; }

        /// <summary>Checks the kept changes plus <paramref name="more"/>; null when the bound is reached.</summary>
        public async Task<Trial?> TryAsync(IReadOnlyList<string> more)
        {
            if (Checks == maxChecks)
            {
                return null;
            }

            Checks++;
            var applied = new HashSet<string>(_kept, StringComparer.Ordinal);
            applied.UnionWith(more);
            return await check(applied);
        }

        /// <summary>
        /// The kept changes pass; with <paramref name="candidates"/> added they are refused (<paramref name="reason"/>: the
        /// refusal of the smallest such set checked). Keeps what passes of them, names the rest; false past the bound.
        /// </summary>
        public async Task<bool> NarrowAsync(ImmutableArray<string> candidates, string reason)
        {
            if (candidates.Length == 1)
            {
                Culprits.Add(new QuarantinedKey(candidates[0], reason));
                return true;
            }

            var half = (candidates.Length + 1) / 2;
            var (first, second) = (candidates[..half], candidates[half..]);
            var withFirst = await TryAsync(first);
            if (withFirst is null)
            {
                return false;
            }

            if (withFirst.Passed)
            {
                _kept.UnionWith(first);
                return await NarrowAsync(second, reason); // the refusal is in the second half
            }

            if (!await NarrowAsync(first, withFirst.Reason ?? reason))
            {
                return false;
            }

            var withSecond = await TryAsync(second);
            if (withSecond is null)
            {
                return false;
            }

            if (withSecond.Passed)
            {
                _kept.UnionWith(second);
                return true;
            }

            return await NarrowAsync(second, withSecond.Reason ?? reason);
        }
    }
}
