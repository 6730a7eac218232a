using System.Runtime.CompilerServices;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Confd;

/// <summary>How confd combines its key prefix with a resource's keys, and how it stores the keys it read.</summary>
internal static class ConfdKeys
{
    /// <summary>Each state is normalised once, however many confd templates render it.</summary>
    private static readonly ConditionalWeakTable<DesiredState, DesiredState> NormalisedStates = new();

    /// <summary>A prefix as "/x" without a trailing slash, or "" for none; confd adds a missing leading slash.</summary>
    public static string NormalisePrefix(string prefix)
    {
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? string.Empty : "/" + trimmed;
    }

    /// <summary>confd's path.Join(prefix, key) for a normalised prefix: <c>/myapp</c> + <c>app/port</c> is <c>/myapp/app/port</c>.</summary>
    public static string Join(string prefix, string key) => prefix + "/" + key.TrimStart('/');

    /// <summary>
    /// The keys as a confd template sees them: confd stores each key as path.Join("/", key), so <c>/p/dir/</c>
    /// answers <c>getv "/p/dir"</c> and <c>/a//b</c> is <c>/a/b</c>. The same state when no key needs it.
    /// </summary>
    public static DesiredState Normalised(DesiredState state) => NormalisedStates.GetValue(state, Normalise);

    private static DesiredState Normalise(DesiredState state)
    {
        if (!state.Keys.Keys.Any(NeedsCleaning))
        {
            return state;
        }

        // where /p/dir/ and /p/dir both exist confd keeps either (map order); /p/dir, as written, wins here
        var keys = new Dictionary<string, string>(state.Count, StringComparer.Ordinal);
        foreach (var (key, value) in state.Keys.Where(kv => NeedsCleaning(kv.Key)))
        {
            keys[TemplateFunctions.CleanPath("/" + key)] = value;
        }

        foreach (var (key, value) in state.Keys.Where(kv => !NeedsCleaning(kv.Key)))
        {
            keys[key] = value;
        }

        return DesiredState.From(keys, state.Revision);
    }

    private static bool NeedsCleaning(string key) =>
        !key.StartsWith('/')
        || (key.Length > 1 && key.EndsWith('/'))
        || key.Contains("//", StringComparison.Ordinal)
        || key.Contains("/./", StringComparison.Ordinal)
        || key.Contains("/../", StringComparison.Ordinal)
        || key.EndsWith("/.", StringComparison.Ordinal)
        || key.EndsWith("/..", StringComparison.Ordinal);
}
