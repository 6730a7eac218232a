namespace Reconciler.Actors.Templates;

/// <summary>
/// What a template accepts from the registry (reject-control-characters, max-value-bytes): every key and value under
/// its prefixes may have been written by any host that may register, so they are untrusted input.
/// </summary>
public sealed record ValueRules(bool RejectControlCharacters, long MaxValueBytes)
{
    public static readonly ValueRules None = new(false, long.MaxValue);
}
