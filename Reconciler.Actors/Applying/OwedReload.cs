using Reconciler.Actors.Output;

namespace Reconciler.Actors.Applying;

/// <summary>
/// Whether a dest's service still has to be reloaded: the one owner of that fact, shared by every applier of the
/// dest in this process (a template changed on SIGHUP gets a new applier, not a new debt). It is owed from just
/// before a new file is put in place until a reload (or a runtime change) brought the service to it. The debt
/// survives the process in an empty marker file, in the state dir (<c>owed/&lt;destname&gt;-&lt;hash&gt;</c>) when
/// there is one, else next to dest (<c>.&lt;destname&gt;.reconciler-reload-owed</c>, where earlier versions always
/// kept it, so it is honoured there too): a daemon stopped or killed in between finds it at start and reloads,
/// although dest itself is up to date (confd and consul-template would leave the service on its old
/// configuration). The marker is best effort — failing to write it must not undo a good write — so the debt is also
/// kept in memory. A link planted at the marker's name is never followed (created O_EXCL, removed by unlink).
/// </summary>
public sealed class OwedReload
{
    private readonly string? _besideDest;
    private volatile bool _owed;

    /// <param name="stateDir">reconciler.state-dir; empty = the marker next to dest.</param>
    public OwedReload(string destPath, string stateDir = "")
    {
        var besideDest = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(destPath))!, $".{Path.GetFileName(destPath)}.reconciler-reload-owed");
        MarkerPath = stateDir.Length == 0 ? besideDest : Path.Combine(stateDir, "owed", StateFileName.For(destPath));
        _besideDest = stateDir.Length == 0 ? null : besideDest;
    }

    public string MarkerPath { get; }

    /// <summary>Owed in memory or by the marker a previous process left.</summary>
    public bool IsOwed => _owed || MarkerExists(MarkerPath) || (_besideDest is not null && MarkerExists(_besideDest));

    /// <summary>About to put a new file in place: set before the rename, so a crash right after it still finds the reload owed.</summary>
    public void Owe()
    {
        _owed = true;
        if (!Create(MarkerPath) && _besideDest is not null)
        {
            Create(_besideDest); // the state dir unusable: where earlier versions kept it, which every version honours
        }
    }

    /// <summary>The service runs what dest holds.</summary>
    public void Paid()
    {
        _owed = false;
        foreach (var marker in new[] { MarkerPath, _besideDest })
        {
            Try(() =>
            {
                if (marker is not null)
                {
                    File.Delete(marker); // each on its own: the state dir's folder may not exist yet
                }

                return true;
            });
        }
    }

    private static bool Create(string marker) => Try(() =>
    {
        if (!MarkerExists(marker))
        {
            if (!OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(marker)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            new FileStream(marker, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0).Dispose();
        }

        return true;
    });

    /// <summary>Only a regular file counts: something else planted at its name is not ours.</summary>
    private static bool MarkerExists(string path) => Try(() => FileStatus.Of(path) is { Kind: FileKind.Regular });

    private static bool Try(Func<bool> change)
    {
        try
        {
            return change();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // see the class comment: the debt is still kept in memory
            return false;
        }
    }
}
