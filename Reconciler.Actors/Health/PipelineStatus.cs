using System.Collections.Immutable;

namespace Reconciler.Actors.Health;

/// <summary>
/// What the daemon knows about itself: backend reachability, the last revision folded into the
/// desired state (and when), and each template's health. Published on the event stream by
/// <see cref="StatusActor"/> whenever it changes.
/// </summary>
public sealed record PipelineStatus(
    BackendHealth Backend,
    long Revision,
    DateTimeOffset? RevisionTime,
    ImmutableSortedDictionary<string, TemplateHealth> Templates)
{
    /// <summary>Puts not stored since start, over reconciler.backend's max-key-bytes, max-value-bytes or max-prefix-bytes.</summary>
    public long RefusedKeys { get; init; }

    /// <summary>Whether this node's fleet records are published (reconciler.fleet); null with fleet off.</summary>
    public FleetHealth? Fleet { get; init; }

    /// <summary>Backend reachable and every template's last render, check, write and reload succeeded.</summary>
    public bool Healthy => Backend.Reachable && Templates.Values.All(t => t.Healthy);
}
