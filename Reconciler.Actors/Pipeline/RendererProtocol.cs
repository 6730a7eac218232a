using Reconciler.Actors.Applying;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Pipeline;

/// <summary>
/// State → renderer: apply this snapshot; <paramref name="Change"/> is what changed under the template's keys since
/// its last render, <paramref name="Batch"/> the templates sharing its reload command that this change reached too.
/// </summary>
internal sealed record RenderRequested(DesiredState State, StateChange Change, ReloadBatch? Batch = null)
{
    /// <summary>What asks for it (<see cref="ApplyTrigger"/>).</summary>
    public ApplyTrigger Trigger { get; init; } = ApplyTrigger.KeysChanged;
}

/// <summary>
/// Root → renderer on a configuration reload that kept it: if its last apply failed, try again now (a render stopped
/// at its limits is not retried by itself).
/// </summary>
internal sealed record RetryFailed
{
    public static readonly RetryFailed Instance = new();
}

/// <summary>
/// Root → renderer whose template changed or went away: finish the running apply, then stop. Its successor (of the
/// same dest) watches it and applies nothing until it stopped.
/// </summary>
internal sealed record Retire
{
    public static readonly Retire Instance = new();
}

/// <summary>Root → renderer, for the watchdog probe: answer with <see cref="RendererProgress"/>.</summary>
internal sealed record GetRendererProgress
{
    public static readonly GetRendererProgress Instance = new();
}

/// <summary>
/// Where the renderer's apply is (<paramref name="Step"/>), for how long, and the most that step may take (null while
/// it waits for something watched on its own: the reload queue, the dest's previous apply).
/// </summary>
internal sealed record RendererProgress(string Step, TimeSpan For, TimeSpan? Bound)
{
    public static readonly RendererProgress Idle = new("idle", TimeSpan.Zero, null);

    public bool Stuck => For > Bound;
}
