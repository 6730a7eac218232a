using System.Collections.Immutable;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// What must hold after every step of a schedule, whatever the faults: dest is the render of one state the store really
/// had (never a mix) and does not go back to an older one unless the store's history was restored or wiped; only content
/// that passed check-cmd is ever live, and only such content is reloaded; there are no more successful reloads than
/// passed checks (so none for nothing).
/// </summary>
internal sealed class SimulationInvariants(SimulatedKeyValueSource source, SimulatedCommands commands, SimulatedHaproxy haproxy)
{
    // the index in the store's states ever had of the oldest state dest may still show
    private int _floor;
    private string? _lastDest;

    /// <summary>What the simulation's template (<see cref="Fixtures.TestTemplates.KeyLines"/>) renders for <paramref name="keys"/>.</summary>
    public static string Render(ImmutableSortedDictionary<string, string> keys) =>
        string.Concat(keys.Where(kv => kv.Key.StartsWith("/apps/", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value}\n"));

    /// <summary>The store's history went back: dest may show any state it had, until it shows a newer one.</summary>
    public void HistoryRestored() => _floor = 0;

    /// <exception cref="SimulationFailure">An invariant broke; the message says which, <paramref name="when"/>.</exception>
    public void Check(string? dest, string when)
    {
        var runs = commands.Runs;
        var passed = runs.Where(r => r is { Kind: CommandKind.Check, Succeeded: true }).Select(r => r.Content).ToHashSet();
        if (dest is not null)
        {
            var everHad = source.EverHad;
            var matches = Enumerable.Range(0, everHad.Count).Where(i => Render(everHad[i].Keys) == dest).ToList();
            if (matches.Count == 0)
            {
                Fail(when, $"dest is the render of no state the store ever had: [{dest}]");
            }

            if (matches.Max() < _floor)
            {
                Fail(when, $"dest went back to revision {everHad[matches.Max()].Revision} after showing revision {everHad[_floor].Revision}, with no restore");
            }

            _floor = matches.First(i => i >= _floor);
            if (!passed.Contains(dest))
            {
                Fail(when, "dest holds content that never passed check-cmd");
            }

            // a new dest was written right after its check: the last check of that content must have passed
            if (dest != _lastDest && runs.LastOrDefault(r => r.Kind == CommandKind.Check && r.Content == dest) is { Succeeded: false })
            {
                Fail(when, "dest was replaced by content whose last check failed");
            }
        }

        _lastDest = dest;

        if (runs.FirstOrDefault(r => r is { Kind: CommandKind.Reload } && !passed.Contains(r.Content)) is { } reload)
        {
            Fail(when, $"reload-cmd ran for content that never passed check-cmd: [{reload.Content}]");
        }

        var reloads = runs.Count(r => r is { Kind: CommandKind.Reload, Succeeded: true });
        var checks = runs.Count(r => r is { Kind: CommandKind.Check, Succeeded: true });
        if (reloads > checks)
        {
            Fail(when, $"{reloads} successful reloads for {checks} passed checks: a reload for nothing");
        }

        if (haproxy.Running is { } running && !passed.Contains(running) && !running.EndsWith("# read back otherwise\n", StringComparison.Ordinal))
        {
            Fail(when, "the service runs content that never passed check-cmd");
        }
    }

    private static void Fail(string when, string what) => throw new SimulationFailure($"{when}: {what}");
}
