using System.Diagnostics;

namespace Reconciler.Actors.Applying;

/// <summary>
/// Where one apply is and since when, for the watchdog: each step has a bound (render-timeout, commands.timeout, a
/// runtime change's drain); a step past it is a wedge. Waiting for the reloader has no bound of its own: what it
/// waits for is watched itself. Written by the apply, read by the renderer actor: one immutable value swapped whole,
/// so a reader never sees a step with another step's bound.
/// </summary>
public sealed class ApplyProgress
{
    private volatile Step _current = new("idle", Stopwatch.GetTimestamp(), null);

    /// <summary>Moves on to <paramref name="step"/>, which may take up to <paramref name="bound"/> (null: unbounded here).</summary>
    public void Enter(string step, TimeSpan? bound) => _current = new Step(step, Stopwatch.GetTimestamp(), bound);

    public (string Step, TimeSpan For, TimeSpan? Bound) Current
    {
        get
        {
            var current = _current;
            return (current.Name, Stopwatch.GetElapsedTime(current.Since), current.Bound);
        }
    }

    private sealed record Step(string Name, long Since, TimeSpan? Bound);
}
