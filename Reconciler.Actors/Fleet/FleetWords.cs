namespace Reconciler.Actors.Fleet;

/// <summary>The words a fleet record spells <see cref="FleetOutcome"/> and <see cref="ApplyHow"/> with.</summary>
public static class FleetWords
{
    /// <summary>The only outcome <c>reconciler fleet</c> counts as serving the registry.</summary>
    public const string Ok = "ok";

    public static string Of(FleetOutcome outcome) => outcome switch
    {
        FleetOutcome.Ok => Ok,
        FleetOutcome.Quarantined => "quarantined",
        FleetOutcome.RenderFailed => "render failed",
        FleetOutcome.CheckFailed => "check failed",
        FleetOutcome.WriteFailed => "write failed",
        FleetOutcome.ReloadFailed => "reload failed",
        FleetOutcome.HeldBack => "held back",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static string Of(ApplyHow how) => how switch
    {
        ApplyHow.None => "none",
        ApplyHow.Runtime => "runtime",
        ApplyHow.Reload => "reload",
        _ => throw new ArgumentOutOfRangeException(nameof(how), how, null),
    };
}
