using System.Text.Json.Serialization;

namespace Reconciler.Actors.Fleet;

/// <summary>
/// One node's standing on one template, as <c>reconciler fleet</c> prints it (<c>--json</c>: these fields).
/// <paramref name="InSync"/>: its outcome is ok and its revision is at least the newest mod revision of the template's
/// keys, i.e. it serves what etcd holds now. <paramref name="Sha256Differs"/>: another node at the same revision has
/// another file (same data, another template or version). Text fields are the node's own words: print them escaped.
/// </summary>
public sealed record FleetRow(
    string Node,
    string Template,
    long Revision,
    string Sha256,
    string Outcome,
    string How,
    [property: JsonPropertyName("age")] long AgeSeconds,
    string Verdict,
    bool InSync,
    bool Sha256Differs);
