using System.Collections.Immutable;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// A template's <c>runtime { type, socket, name, backends, drain-timeout }</c>: which part of a running HAProxy its
/// file changes without a reload. One template, one file, one kind: <c>haproxy</c> (server lines of haproxy.cfg),
/// <c>haproxy-map</c>, <c>haproxy-acl</c> (a map or ACL file HAProxy loaded) or <c>haproxy-cert</c> (a PEM file of a
/// <c>crt</c>). HAProxy knows a map, ACL file or certificate by its path as haproxy.cfg names it: <see cref="Name"/>,
/// else the template's dest.
/// </summary>
public sealed record RuntimeSettings(string Type, string Socket, ImmutableArray<string> Backends, TimeSpan DrainTimeout)
{
    public const string Haproxy = "haproxy";

    public const string HaproxyMap = "haproxy-map";

    public const string HaproxyAcl = "haproxy-acl";

    public const string HaproxyCert = "haproxy-cert";

    public static readonly ImmutableArray<string> Types = [Haproxy, HaproxyMap, HaproxyAcl, HaproxyCert];

    public static readonly RuntimeSettings Off = new(string.Empty, string.Empty, [], TimeSpan.FromSeconds(30));

    /// <summary>runtime.name: the map, ACL file or certificate as haproxy.cfg names it; empty = dest.</summary>
    public string Name { get; init; } = string.Empty;

    public bool IsOn => Type.Length > 0;

    /// <summary>Server lines of haproxy.cfg (runtime.type = haproxy).</summary>
    public bool IsHaproxy => Type == Haproxy;

    /// <summary>What HAProxy calls the file of a template whose dest is <paramref name="dest"/>.</summary>
    public string NameFor(string dest) => Name.Length > 0 ? Name : dest;

    /// <summary>Whether the servers of <paramref name="backend"/> may change at runtime (an empty list allows all).</summary>
    public bool Covers(string backend) => Backends.IsEmpty || Backends.Contains(backend, StringComparer.Ordinal);

    /// <summary>Value equality, including the backend list (records compare it by reference).</summary>
    public bool IsSameAs(RuntimeSettings other) =>
        this with { Backends = [] } == other with { Backends = [] } && Backends.SequenceEqual(other.Backends);
}
