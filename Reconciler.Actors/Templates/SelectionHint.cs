using Reconciler.Actors.Display;

namespace Reconciler.Actors.Templates;

/// <summary>
/// The did-you-mean for a key pattern that selects nothing: the usual slips, tried in turn, the first one that would
/// select keys named. confd's <c>*</c> stops at '/', so <c>/app/web*</c> does not reach <c>/app/web/x</c>.
/// </summary>
internal static class SelectionHint
{
    /// <summary>A hint for <paramref name="pattern"/>, or null; <paramref name="selects"/> says whether a candidate selects any key.</summary>
    public static string? For(string pattern, Func<string, bool> selects)
    {
        foreach (var (candidate, why) in Candidates(pattern))
        {
            if (candidate != pattern && selects(candidate))
            {
                return $"{why}: did you mean {PrintableText.ShortOf(candidate)}?"; // the pattern may be built from registry values
            }
        }

        return null;
    }

    private static IEnumerable<(string Candidate, string Why)> Candidates(string pattern)
    {
        for (var star = pattern.IndexOf('*'); star > 0; star = pattern.IndexOf('*', star + 1))
        {
            if (pattern[star - 1] is not ('/' or '\\'))
            {
                yield return (pattern[..star] + "/" + pattern[star..], "'*' does not cross '/'");
            }
        }

        if (pattern.EndsWith('/'))
        {
            yield return (pattern + "*", "a pattern ending in '/' selects only a key ending in '/'");
        }

        var wildcard = pattern.IndexOfAny(['*', '?', '[']) >= 0;
        var deeper = pattern.TrimEnd('/');
        for (var depth = 0; depth < 3; depth++)
        {
            deeper += "/*";
            yield return (deeper, wildcard ? "'*' does not cross '/'" : "the keys are below it");
        }

        if (!pattern.StartsWith('/'))
        {
            yield return ("/" + pattern, "keys start with '/'");
        }
    }
}
