namespace Reconciler.Actors.Applying;

/// <summary>How the service is brought to dest.</summary>
internal enum ServiceAction
{
    /// <summary>Nothing to bring: nothing written and nothing owed, no reload command, or a dry run.</summary>
    Nothing,

    /// <summary>Over the runtime API, in the reloader's turn.</summary>
    RuntimeChange,

    /// <summary>By the reload command, in the reloader's turn (once for a batch).</summary>
    Reload,

    /// <summary>The service runs what dest holds: the owed reload is paid, nothing more runs.</summary>
    PayOwed,
}

/// <summary>What <see cref="ApplyDecision.ForService"/> decided; <paramref name="Cause"/> is set for a reload.</summary>
internal sealed record ServiceStep(ServiceAction Action, ReloadCause? Cause = null)
{
    public static readonly ServiceStep Nothing = new(ServiceAction.Nothing);

    public static readonly ServiceStep RuntimeChange = new(ServiceAction.RuntimeChange);

    public static readonly ServiceStep PayOwed = new(ServiceAction.PayOwed);

    public static ServiceStep ReloadFor(ReloadCause cause) => new(ServiceAction.Reload, cause);
}

/// <summary>What follows a reload (<see cref="ApplyDecision.AfterReload"/>).</summary>
internal enum ReloadFollowUp
{
    /// <summary>It succeeded: the service runs what dest holds.</summary>
    PayOwed,

    /// <summary>It failed on a new file and rollback-on-reload-failure is on: the previous file is put back and reloaded.</summary>
    RollBack,

    /// <summary>It failed: the reload stays owed, the renderer's retry pays it.</summary>
    LeaveOwed,
}
