using System.Collections.Immutable;
using Reconciler.Actors.Output;
using Reconciler.Actors.Quarantine;
using Reconciler.Actors.Rendering;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Applying;

public enum ReconcileStatus
{
    /// <summary>Rendered output equals the live file: nothing written, nothing to reload.</summary>
    Unchanged,

    /// <summary>The new file passed its check and replaced dest.</summary>
    Written,

    /// <summary>The template failed to render; dest untouched.</summary>
    RenderFailed,

    /// <summary>check-cmd rejected the staged file; dest untouched.</summary>
    CheckFailed,

    /// <summary>Staging or replacing the file failed; dest untouched.</summary>
    WriteFailed,

    /// <summary>A guard held the render back (too few keys, too many, a value too large); dest untouched until the data recovers.</summary>
    HeldBack,

    /// <summary><c>--noop</c>: dest differs from the render, which passed its check (or has none); nothing was written.</summary>
    WouldWrite,
}

/// <summary>
/// What one render → compare → check → write of a template did. <paramref name="Diff"/> is the
/// unified diff of a written or rejected change, when the reconciler was asked to keep diffs.
/// </summary>
public sealed record ReconcileOutcome(
    string Template,
    string Dest,
    long Revision,
    StateChange Change,
    ReconcileStatus Status,
    int Bytes,
    TimeSpan RenderTime,
    CommandResult? Check,
    string? Error,
    string? Diff = null)
{
    /// <summary>Keys the render left out: a control character in the name or value, a registration that does not parse.</summary>
    public ImmutableArray<SkippedKey> Skipped { get; init; } = [];

    /// <summary>Selections in the template that matched no key while its keys hold some (<see cref="EmptySelectionNote"/>).</summary>
    public ImmutableArray<EmptySelectionNote> EmptySelections { get; init; } = [];

    /// <summary>Keys held out of the file because a check refused their change (quarantine): their last good value, or none, was rendered.</summary>
    public ImmutableArray<QuarantinedKey> Quarantined { get; init; } = [];

    /// <summary>For a written file of a template with a runtime API: whether and how it can be applied without a reload.</summary>
    public RuntimeChange? Runtime { get; init; }

    /// <summary>
    /// False for a render stopped at render-timeout or max-output-bytes: the same state would only hit the limit again,
    /// so it waits for the next change or a configuration reload instead of a retry.
    /// </summary>
    public bool WorthRetrying { get; init; } = true;

    public bool Failed => Status is ReconcileStatus.RenderFailed or ReconcileStatus.CheckFailed or ReconcileStatus.WriteFailed;

    public bool NeedsReload => Status == ReconcileStatus.Written;
}
