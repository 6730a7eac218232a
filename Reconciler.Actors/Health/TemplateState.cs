namespace Reconciler.Actors.Health;

/// <summary>Where a template stands after its last reconcile.</summary>
public enum TemplateState
{
    /// <summary>Not reconciled yet (waiting for the first snapshot or its first render).</summary>
    Pending,

    /// <summary>dest holds the latest render and the service was reloaded with it.</summary>
    Ok,

    RenderFailed,

    CheckFailed,

    WriteFailed,

    /// <summary>dest was replaced but the service did not take it: stays so until a later reload succeeds.</summary>
    ReloadFailed,

    /// <summary>The shrink guard held the last render back: dest is not what the keys say, until they recover.</summary>
    HeldBack,
}
