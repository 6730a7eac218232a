namespace Reconciler.Actors.Health;

/// <summary>Asks the <see cref="StatusActor"/> for the current <see cref="PipelineStatus"/>.</summary>
public sealed record GetPipelineStatus
{
    public static readonly GetPipelineStatus Instance = new();
}
