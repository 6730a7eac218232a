namespace Reconciler.Actors.Runtime;

/// <summary>
/// How a runtime change went: applied and read back (<see cref="Applied"/>), or not, with why (<see cref="Reason"/>,
/// one line) and its kind for the metric label (<see cref="ReasonLabel"/>: socket, refused, mismatch, drain-timeout,
/// unsupported).
/// </summary>
public sealed record RuntimeApplyResult(bool Applied, int Commands, TimeSpan Duration, string? Reason, string? ReasonLabel)
{
    public static RuntimeApplyResult Done(int commands, TimeSpan duration) => new(true, commands, duration, null, null);

    public static RuntimeApplyResult FellBack(string label, string reason, int commands = 0, TimeSpan duration = default) =>
        new(false, commands, duration, reason, label);
}
