namespace Reconciler.Actors.Quarantine;

/// <summary>
/// One check of a render with some of the changed keys applied: passed, refused and why (the checker's line), or
/// not finished (timed out, cancelled, held back), which ends the search: it says nothing about the keys.
/// </summary>
internal sealed record Trial(TrialVerdict Verdict, string? Reason)
{
    public static readonly Trial Pass = new(TrialVerdict.Passed, null);

    public bool Passed => Verdict == TrialVerdict.Passed;

    public bool Finished => Verdict != TrialVerdict.Unfinished;

    public static Trial Refused(string reason) => new(TrialVerdict.Refused, reason);

    public static Trial Unfinished(string why) => new(TrialVerdict.Unfinished, why);
}
