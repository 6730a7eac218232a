namespace Reconciler.Actors.Applying;

/// <summary>Why an apply reloads; its label (<see cref="ReloadReason.Label"/>) is the reloads metric's reason.</summary>
public enum ReloadCause
{
    /// <summary>The file changed and the template has no runtime API.</summary>
    Changed,

    /// <summary>A change the runtime API does not cover.</summary>
    BeyondRuntime,

    /// <summary>A change of the runtime API's kind that it refused or failed.</summary>
    Fallback,

    /// <summary>An earlier write's reload, not done yet.</summary>
    Owed,
}
