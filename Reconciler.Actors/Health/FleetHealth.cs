namespace Reconciler.Actors.Health;

/// <summary>
/// Published on the event stream by the fleet publisher whenever publishing starts or stops working:
/// <paramref name="Lease"/> is the lease its records live under (0 before the first), <paramref name="Error"/> why the
/// last call to etcd failed, <paramref name="Since"/> when this began. For /healthz and /metrics; null in
/// <see cref="PipelineStatus.Fleet"/> with reconciler.fleet off.
/// </summary>
public sealed record FleetHealth(bool Working, long Lease, string? Error, DateTimeOffset Since);
