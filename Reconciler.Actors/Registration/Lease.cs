namespace Reconciler.Actors.Registration;

/// <summary>An etcd lease as granted: its id and the time to live etcd gave it.</summary>
public sealed record Lease(long Id, TimeSpan Ttl);
