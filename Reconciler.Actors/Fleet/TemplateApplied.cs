namespace Reconciler.Actors.Fleet;

/// <summary>
/// Published on the event stream by <see cref="AppliedFileActor"/> after each apply: the file a template's dest holds
/// now, the revision it was rendered from, and what the apply came to. Metrics and the fleet publisher read it.
/// </summary>
public sealed record TemplateApplied(string Template, long Revision, string Sha256, FleetOutcome Outcome, ApplyHow How, DateTimeOffset AppliedAt);
