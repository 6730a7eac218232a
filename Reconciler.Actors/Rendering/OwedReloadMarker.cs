namespace Reconciler.Actors.Rendering;

/// <summary>
/// Keeps a reload owed across restarts: an empty marker file next to dest
/// (<c>.&lt;destname&gt;.reconciler-reload-owed</c>) exists from just before a new file is put in place until its
/// reload succeeded. A daemon that was stopped, or died, in between finds it at start and reloads, although dest
/// itself is already up to date (confd and consul-template would leave the service on its old configuration).
/// Best effort: the marker sits in the folder dest was just written to, and failing to write it must not undo a
/// good write.
/// </summary>
public sealed class OwedReloadMarker(string destPath)
{
    public string Path { get; } = System.IO.Path.Combine(
        System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(destPath))!,
        $".{System.IO.Path.GetFileName(destPath)}.reconciler-reload-owed");

    public bool IsSet => File.Exists(Path);

    public void Set() => Try(() => File.WriteAllBytes(Path, []));

    public void Clear() => Try(() => File.Delete(Path));

    private static void Try(Action change)
    {
        try
        {
            change();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // see the class comment: the reload is still owed in memory
        }
    }
}
