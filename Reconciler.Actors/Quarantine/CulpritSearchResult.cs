using System.Collections.Immutable;

namespace Reconciler.Actors.Quarantine;

/// <summary>
/// What a <see cref="CulpritSearch"/> found: the changed keys to leave out (<see cref="Culprits"/>, each with the
/// reason of the refusal that named it) so that the others pass the check, or why none could be named
/// (<see cref="Found"/> false: the refusal stands as it is).
/// </summary>
internal sealed record CulpritSearchResult(bool Found, ImmutableArray<QuarantinedKey> Culprits, int Checks, string? NotFound)
{
    public static CulpritSearchResult None(int checks, string why) => new(false, [], checks, why);
}
