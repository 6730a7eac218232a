namespace Reconciler.Actors.Quarantine;

/// <summary>
/// One check of a render with some of the changed keys applied: passed, refused and why (the checker's line), or
/// not finished (timed out, cancelled), which ends the search: it says nothing about the keys.
/// </summary>
internal sealed record Trial(bool Passed, string? Reason, bool Finished = true)
{
    public static readonly Trial Pass = new(true, null);

    public static Trial Refused(string reason) => new(false, reason);

    public static Trial Unfinished(string why) => new(false, why, Finished: false);
}
