namespace Reconciler.Actors.Fleet;

/// <summary>Asks the <see cref="FleetPublisherActor"/>, on shutdown, to revoke its lease; answered with <see cref="PublishingStopped"/>.</summary>
public sealed record StopPublishing
{
    public static readonly StopPublishing Instance = new();
}
