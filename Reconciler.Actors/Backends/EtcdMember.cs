using dotnet_etcd;

namespace Reconciler.Actors.Backends;

/// <summary>One etcd endpoint with a client of its own; <paramref name="Endpoint"/> is safe for logs.</summary>
public sealed record EtcdMember(string Endpoint, EtcdClient Client);
