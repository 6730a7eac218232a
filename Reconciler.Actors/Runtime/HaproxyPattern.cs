namespace Reconciler.Actors.Runtime;

/// <summary>One entry of a map (<paramref name="Key"/> → <paramref name="Value"/>) or one pattern of an ACL file (<paramref name="Key"/>, no value).</summary>
public sealed record HaproxyPattern(string Key, string? Value)
{
    public override string ToString() => Value is null ? Key : $"{Key} {Value}";
}
