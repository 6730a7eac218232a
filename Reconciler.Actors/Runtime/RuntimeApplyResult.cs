namespace Reconciler.Actors.Runtime;

/// <summary>
/// How a runtime change went: applied and read back (<see cref="Applied"/>), or not, with why (<see cref="Reason"/>,
/// one line) and its kind (<see cref="Fallback"/>; <see cref="ReasonLabel"/> for the metric label).
/// </summary>
public sealed record RuntimeApplyResult(bool Applied, int Commands, TimeSpan Duration, string? Reason, RuntimeFallback? Fallback)
{
    /// <summary>The fallback's kind as the metric labels it: socket, refused, mismatch, drain-timeout, unsupported.</summary>
    public string? ReasonLabel => Fallback switch
    {
        null => null,
        RuntimeFallback.Socket => "socket",
        RuntimeFallback.Refused => "refused",
        RuntimeFallback.Mismatch => "mismatch",
        RuntimeFallback.DrainTimeout => "drain-timeout",
        _ => "unsupported",
    };

    public static RuntimeApplyResult Done(int commands, TimeSpan duration) => new(true, commands, duration, null, null);

    public static RuntimeApplyResult FellBack(RuntimeFallback fallback, string reason, int commands = 0, TimeSpan duration = default) =>
        new(false, commands, duration, reason, fallback);
}
