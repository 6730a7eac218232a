namespace Reconciler.Actors.Fleet;

/// <summary>
/// What one node says it applied of one template, the JSON value of <c>&lt;fleet.prefix&gt;/&lt;node&gt;/&lt;template&gt;</c>.
/// <paramref name="Revision"/> and <paramref name="Sha256"/> are those of the file in place (after a failed apply, the
/// older file that stayed); 0 and "" when the node has not written the file yet and none was there.
/// Read back by <c>reconciler fleet</c> as untrusted input: any host that may write the prefix may write anything.
/// </summary>
public sealed record FleetRecord(
    string Node,
    string Template,
    long Revision,
    string Sha256,
    string Outcome,
    string How,
    DateTimeOffset AppliedAt,
    string Version);
