using System.Diagnostics;

namespace Reconciler.Actors.Applying;

/// <summary>
/// Where one apply is and since when, for the watchdog: each step has a bound (render-timeout, commands.timeout, a
/// runtime change's drain); a step past it is a wedge. Waiting for the reload queue or for the dest's previous apply
/// has no bound of its own: what it waits for is watched itself. Written by the apply, read by the renderer actor.
/// </summary>
public sealed class ApplyProgress
{
    private readonly object _gate = new();
    private string _step = "idle";
    private long _since = Stopwatch.GetTimestamp();
    private TimeSpan? _bound;

    /// <summary>Moves on to <paramref name="step"/>, which may take up to <paramref name="bound"/> (null: unbounded here).</summary>
    public void Enter(string step, TimeSpan? bound)
    {
        lock (_gate)
        {
            (_step, _since, _bound) = (step, Stopwatch.GetTimestamp(), bound);
        }
    }

    public (string Step, TimeSpan For, TimeSpan? Bound) Current
    {
        get
        {
            lock (_gate)
            {
                return (_step, Stopwatch.GetElapsedTime(_since), _bound);
            }
        }
    }
}
