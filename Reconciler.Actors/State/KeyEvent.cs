namespace Reconciler.Actors.State;

public enum KeyEventKind
{
    Put,
    Delete,
}

/// <summary>One change from the backend's event log: a key was put (with its value) or deleted.</summary>
public sealed record KeyEvent(KeyEventKind Kind, string Key, string Value, long ModRevision)
{
    public static KeyEvent Put(string key, string value, long modRevision) => new(KeyEventKind.Put, key, value, modRevision);

    public static KeyEvent Delete(string key, long modRevision) => new(KeyEventKind.Delete, key, string.Empty, modRevision);
}
