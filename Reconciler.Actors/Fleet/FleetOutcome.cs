namespace Reconciler.Actors.Fleet;

/// <summary>What a node's last apply of a template came to, as its fleet record says it (<see cref="FleetWords"/>).</summary>
public enum FleetOutcome
{
    /// <summary>The file is the render of the registry at its revision, and the service took it.</summary>
    Ok,

    /// <summary>Applied without keys a check refused: the service runs a file that leaves some of the registry out.</summary>
    Quarantined,

    RenderFailed,

    CheckFailed,

    WriteFailed,

    /// <summary>The file was replaced but the service did not take it (or an earlier reload is still owed).</summary>
    ReloadFailed,

    /// <summary>A guard (shrink guard, max-keys, max-value-bytes) held the render back: the file is an older one.</summary>
    HeldBack,
}
