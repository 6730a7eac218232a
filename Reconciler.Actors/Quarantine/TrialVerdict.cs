namespace Reconciler.Actors.Quarantine;

/// <summary>What one trial check of the culprit search said.</summary>
internal enum TrialVerdict
{
    Passed,
    Refused,
    Unfinished,
}
