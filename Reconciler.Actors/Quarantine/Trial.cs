namespace Reconciler.Actors.Quarantine;

/// <summary>One check of a render with some of the changed keys applied: passed, or why not (the checker's line).</summary>
internal sealed record Trial(bool Passed, string? Reason)
{
    public static readonly Trial Pass = new(true, null);

    public static Trial Refused(string reason) => new(false, reason);
}
