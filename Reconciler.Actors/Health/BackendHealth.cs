namespace Reconciler.Actors.Health;

/// <summary>Whether the key-value backend answered last time the watcher tried; <paramref name="Since"/> is when that last changed.</summary>
public sealed record BackendHealth(string Description, bool Reachable, string? LastError, DateTimeOffset Since);
