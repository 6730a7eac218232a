namespace Reconciler.Tests.Simulation;

/// <summary>What one step of a simulated schedule does.</summary>
internal enum StepKind
{
    Put,
    Delete,
    Transaction,

    /// <summary>Hands the watcher its next pending revisions (a batch split after 1 to 3 revisions).</summary>
    Deliver,
    Compact,
    Disconnect,
    Reconnect,

    /// <summary>A stalled stream found out by the watch timeout.</summary>
    Stall,
    RestoreToOlderRevision,
    Wipe,
    SetCheckOutcome,
    SetReloadOutcome,
    SetRuntimeApi,

    /// <summary>Virtual time goes on (0.1 s to 10 s).</summary>
    Advance,

    /// <summary>The daemon stops and starts again over the same state dir, dest and service.</summary>
    RestartDaemon,
}
