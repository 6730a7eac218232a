namespace Reconciler.Actors.Runtime;

/// <summary>Why a runtime change fell back to a reload; its label (<see cref="RuntimeApplyResult.ReasonLabel"/>) is the fallback metric's reason.</summary>
public enum RuntimeFallback
{
    /// <summary>The admin socket could not be reached, or gave no answer in time.</summary>
    Socket,

    /// <summary>HAProxy refused a command.</summary>
    Refused,

    /// <summary>What HAProxy runs after the change is not the file's state.</summary>
    Mismatch,

    /// <summary>A server to remove still had sessions when its drain ran out.</summary>
    DrainTimeout,

    /// <summary>A change of the runtime API's kind that it cannot make.</summary>
    Unsupported,
}
