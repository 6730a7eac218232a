using Reconciler.Actors.Output;

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

    /// <summary>Only a regular file counts: something else planted at its name is not ours.</summary>
    public bool IsSet => Try(() => FileStatus.Of(Path) is { Kind: FileKind.Regular });

    /// <summary>Created, never opened if it exists: a link planted at its name is not followed (O_CREAT | O_EXCL).</summary>
    public void Set() => Try(() =>
    {
        if (!IsSet)
        {
            new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0).Dispose();
        }

        return true;
    });

    /// <summary>unlink(2): removes a link planted at its name, never what it points to.</summary>
    public void Clear() => Try(() =>
    {
        File.Delete(Path);
        return true;
    });

    private static bool Try(Func<bool> change)
    {
        try
        {
            return change();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // see the class comment: the reload is still owed in memory
            return false;
        }
    }
}
