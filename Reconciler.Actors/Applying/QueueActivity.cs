namespace Reconciler.Actors.Applying;

/// <summary>What the reload queue runs now, for the watchdog: for how long, and the most it may take.</summary>
public sealed record QueueActivity(string What, TimeSpan RunningFor, TimeSpan Bound)
{
    /// <summary>
    /// Past its bound by more than a margin (as long again, at most 10 s, for the kill and its reaping): the command's
    /// own timeout should have stopped it by then.
    /// </summary>
    public bool IsStuck => RunningFor > Bound + TimeSpan.FromTicks(Math.Min(Bound.Ticks, TimeSpan.FromSeconds(10).Ticks));
}
