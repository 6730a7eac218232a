namespace Reconciler.Actors.State;

/// <summary>
/// A watched key prefix, matched on path-segment boundaries: <c>/apps/web</c> covers
/// <c>/apps/web</c> and <c>/apps/web/x</c> but not <c>/apps/webby/x</c>.
/// </summary>
public sealed record KeyPrefix
{
    public KeyPrefix(string value)
    {
        var trimmed = value.Length > 1 ? value.TrimEnd('/') : value;
        Value = trimmed == "/" ? string.Empty : trimmed;
    }

    /// <summary>The prefix without a trailing slash; empty for the whole key space.</summary>
    public string Value { get; }

    public bool IsWholeKeySpace => Value.Length == 0;

    public bool Covers(string key) =>
        IsWholeKeySpace
        || (key.StartsWith(Value, StringComparison.Ordinal)
            && (key.Length == Value.Length || key[Value.Length] == '/'));

    /// <summary>True when every key this prefix covers is also covered by <paramref name="other"/>.</summary>
    public bool IsWithin(KeyPrefix other) => other.Covers(Value) || other.IsWholeKeySpace;

    public override string ToString() => IsWholeKeySpace ? "/" : Value;
}
