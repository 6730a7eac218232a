using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;

namespace Reconciler.Actors.Rendering;

/// <summary>
/// What a reconcile would do, without doing it (<c>--noop</c>): the diff from the live file, and
/// how check-cmd judged the new file. <paramref name="Error"/> is set when the render failed.
/// </summary>
public sealed record DryRunOutcome(string Template, string Dest, string Diff, CommandResult? Check, string? Error)
{
    /// <summary>For a template with a runtime API: whether the change would be applied at runtime or by a reload.</summary>
    public RuntimeChange? Runtime { get; init; }

    public bool Failed => Error is not null || Check is { Succeeded: false };
}
