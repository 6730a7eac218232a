namespace Reconciler.Tests.Simulation;

/// <summary>How the simulated HAProxy's admin socket answers a runtime change, as the schedule chose.</summary>
public enum RuntimeApiBehaviour
{
    Accept,
    Refuse,
    Unreachable,

    /// <summary>Takes the change, but what it reads back is not what was asked: a mismatch.</summary>
    Disagree,
}
