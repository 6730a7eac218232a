namespace Reconciler.Actors.Fleet;

/// <summary>How an apply brought the service to its file.</summary>
public enum ApplyHow
{
    /// <summary>Nothing to bring: the file did not change, or the apply stopped before the service.</summary>
    None,

    /// <summary>Through HAProxy's admin socket, without a reload.</summary>
    Runtime,

    Reload,
}
