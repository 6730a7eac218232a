using System.Collections.Immutable;

namespace Reconciler.Actors.Fleet;

/// <summary>
/// What <c>reconciler fleet</c> read at one etcd <paramref name="Revision"/>: the records that parsed, the newest mod
/// revision of each template's keys, and a warning per key skipped (escaped, one line each).
/// </summary>
public sealed record FleetSnapshot(
    long Revision,
    ImmutableArray<FleetRecord> Records,
    ImmutableDictionary<string, long> NewestModRevisions,
    ImmutableArray<string> Warnings);
