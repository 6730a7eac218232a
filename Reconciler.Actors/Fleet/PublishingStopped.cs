namespace Reconciler.Actors.Fleet;

/// <summary>The <see cref="FleetPublisherActor"/>'s answer to <see cref="StopPublishing"/>: its lease is revoked, or left to expire.</summary>
public sealed record PublishingStopped
{
    public static readonly PublishingStopped Instance = new();
}
