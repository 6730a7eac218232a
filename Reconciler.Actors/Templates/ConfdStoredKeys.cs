using System.Runtime.CompilerServices;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Templates;

/// <summary>
/// The keys as a confd template sees them: confd stores each key as path.Join("/", key), so <c>/p/dir/</c>
/// answers <c>getv "/p/dir"</c> and <c>/a//b</c> is <c>/a/b</c>.
/// </summary>
internal static class ConfdStoredKeys
{
    /// <summary>Each state is normalised once, however many confd templates render it.</summary>
    private static readonly ConditionalWeakTable<DesiredState, DesiredState> NormalisedStates = new();

    /// <summary>The state as confd would store it; the same state when no key needs cleaning.</summary>
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
