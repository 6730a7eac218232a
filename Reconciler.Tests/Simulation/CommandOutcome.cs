namespace Reconciler.Tests.Simulation;

/// <summary>How a simulated check-cmd or reload-cmd ends, as the schedule chose.</summary>
public enum CommandOutcome
{
    Ok,
    Fail,

    /// <summary>Runs past reconciler.commands.timeout and is killed.</summary>
    Timeout,

    /// <summary>Succeeds, but only after a while of virtual time (less than the timeout).</summary>
    Slow,
}
