namespace Reconciler.Actors.State;

public enum KeyEventKind
{
    Put,
    Delete,

    /// <summary>A put the daemon does not store (<see cref="KeyLimits"/>): folded as a delete of whatever the key held.</summary>
    Refused,
}

/// <summary>One change from the backend's event log: a key was put (with its value) or deleted, or put over a limit.</summary>
public sealed record KeyEvent(KeyEventKind Kind, string Key, string Value, long ModRevision)
{
    /// <summary>Why a <see cref="KeyEventKind.Refused"/> put was not stored.</summary>
    public KeyRefusal? Refusal { get; init; }

    public static KeyEvent Put(string key, string value, long modRevision) => new(KeyEventKind.Put, key, value, modRevision);

    public static KeyEvent Delete(string key, long modRevision) => new(KeyEventKind.Delete, key, string.Empty, modRevision);

    /// <param name="key">The key, or for a name over max-key-bytes (which no state holds) its shown form.</param>
    public static KeyEvent Refused(string key, KeyRefusal refusal, long modRevision) =>
        new(KeyEventKind.Refused, key, string.Empty, modRevision) { Refusal = refusal };
}
