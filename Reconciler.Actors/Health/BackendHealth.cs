namespace Reconciler.Actors.Health;

/// <summary>
/// Whether the key-value backend answered last time the watcher tried, with its watch current; <paramref name="Since"/>
/// is when that last changed. <paramref name="NoLeader"/>: etcd answers but has no leader (degraded: nothing can change).
/// </summary>
public sealed record BackendHealth(string Description, bool Reachable, string? LastError, DateTimeOffset Since, bool NoLeader = false);
