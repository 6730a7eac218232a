namespace Reconciler.Actors.Templates;

/// <summary>
/// The registry holds more than the template allows (max-value-bytes, haproxySlots' maximum): the render is held back
/// with this reason, like the shrink guard holds one back, and dest keeps what it has.
/// </summary>
/// <param name="limit">The bound that was passed, as the operator knows it: "max-value-bytes", "haproxySlots' maximum".</param>
internal sealed class ValueLimitExceededException(string limit, string message) : Exception(message)
{
    public string Limit { get; } = limit;
}
