namespace Reconciler.Actors.Applying;

/// <summary>How a render went.</summary>
internal enum RenderState
{
    Rendered,

    /// <summary>A guard held it back (too few keys, too many, a value too large).</summary>
    HeldBack,

    Failed,
}

/// <summary>What <see cref="ApplyDecision.ForFile"/> decides on.</summary>
/// <param name="UnfitForRuntime">HAProxy would refuse the rendered file (the runtime API's own check).</param>
/// <param name="DestIsCurrent">Dest already holds the render.</param>
/// <param name="DryRun"><c>--noop</c>: check a copy, replace nothing.</param>
internal sealed record FileFacts(RenderState Render, bool UnfitForRuntime, bool DestIsCurrent, bool DryRun);

/// <summary>What to do with a render (<see cref="ApplyDecision.ForFile"/>).</summary>
internal enum FileStep
{
    /// <summary>Nothing written: the render was held back.</summary>
    HoldBack,

    /// <summary>Nothing written: the render failed.</summary>
    FailRender,

    /// <summary>Nothing written: a failed check without running check-cmd.</summary>
    Refuse,

    /// <summary>Dest holds the render already: nothing to write.</summary>
    Keep,

    /// <summary>Stage, check, replace dest.</summary>
    Replace,

    /// <summary><c>--noop</c>: check a copy in the scratch folder and say what would change.</summary>
    CheckCopy,
}
