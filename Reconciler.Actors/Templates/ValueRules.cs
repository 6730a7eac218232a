using Reconciler.Actors.Networks;

namespace Reconciler.Actors.Templates;

/// <summary>
/// What a template accepts from the registry (reject-control-characters, max-value-bytes, and where an instance may
/// point: allowed-networks, allow-hostnames): every key and value under its prefixes may have been written by any host
/// that may register, so they are untrusted input.
/// </summary>
public sealed record ValueRules(bool RejectControlCharacters, long MaxValueBytes)
{
    public static readonly ValueRules None = new(false, long.MaxValue) { Addresses = AddressPolicy.Unrestricted };

    /// <summary>Where <c>instances</c> and <c>haproxySlots</c> let an instance point; the default rule unless set.</summary>
    public AddressPolicy Addresses { get; init; } = AddressPolicy.Default;
}
