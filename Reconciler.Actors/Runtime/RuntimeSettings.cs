using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// A template's <c>runtime { type, socket, backends, drain-timeout }</c>: whether changed server lines are applied
/// through HAProxy's admin socket instead of a reload.
/// </summary>
public sealed record RuntimeSettings(string Type, string Socket, ImmutableArray<string> Backends, TimeSpan DrainTimeout)
{
    public const string Haproxy = "haproxy";

    public static readonly RuntimeSettings Off = new(string.Empty, string.Empty, [], TimeSpan.FromSeconds(30));

    public bool IsHaproxy => Type == Haproxy;

    /// <summary>Whether the servers of <paramref name="backend"/> may change at runtime (an empty list allows all).</summary>
    public bool Covers(string backend) => Backends.IsEmpty || Backends.Contains(backend, StringComparer.Ordinal);

    /// <summary>Value equality, including the backend list (records compare it by reference).</summary>
    public bool IsSameAs(RuntimeSettings other) =>
        this with { Backends = [] } == other with { Backends = [] } && Backends.SequenceEqual(other.Backends);
}
