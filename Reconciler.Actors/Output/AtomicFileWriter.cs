using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Reconciler.Actors.Output;

/// <summary>
/// Replaces a dest file atomically: content is staged in a temp file in the dest's folder (same file system,
/// so rename(2) is atomic), fsynced (while check-cmd reads it, if the caller wants), then given its mode and
/// owner through its open handle (fchmod, fchown) and renamed over dest; the folder is fsynced so the rename survives a crash. Readers see the old file or the new one, never a mix, and a
/// failure before the rename leaves dest untouched.
/// </summary>
internal static class AtomicFileWriter
{
    /// <summary>Unix modes and owners have no Windows meaning; the daemon runs on Linux.</summary>
    private const string NeedsUnix = "AtomicFileWriter needs Unix file modes and owners";

    /// <summary>
    /// Deletes staged files a killed run left next to <paramref name="destPath"/> (a crash between stage
    /// and rename); returns how many.
    /// </summary>
    public static int RemoveLeftovers(string destPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(destPath))!;
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var leftovers = Directory.GetFiles(folder, $".{Path.GetFileName(destPath)}.reconciler-*.tmp");
        foreach (var leftover in leftovers)
        {
            File.Delete(leftover);
        }

        return leftovers.Length;
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <c>.&lt;destname&gt;.reconciler-&lt;random&gt;.tmp</c> next to
    /// <paramref name="destPath"/>, through to the OS but not yet fsynced: other processes (check-cmd) read it from the
    /// page cache, and <see cref="StagedFile.FlushToDisk"/> or <see cref="Commit"/> makes it durable. Dest itself is not touched.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The dest folder does not exist.</exception>
    public static StagedFile Stage(string destPath, ContentBuffer content)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(NeedsUnix);
        }

        var dest = Path.GetFullPath(destPath);
        var name = Path.GetFileName(dest);
        if (name.Length == 0)
        {
            throw new ArgumentException($"dest {destPath} names a folder, not a file");
        }

        var folder = Path.GetDirectoryName(dest)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot write {dest}: folder {folder} does not exist");
        }

        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var path = Path.Combine(folder, $".{name}.reconciler-{random}.tmp");
        var staged = new StagedFile(dest, path, Create(path));
        try
        {
            content.WriteTo(staged.Content);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Gives the staged file <paramref name="mode"/>, <paramref name="owner"/> and <paramref name="group"/>
    /// (a name or numeric id; null or empty leaves it as is), renames it over dest and fsyncs the folder.
    /// </summary>
    /// <exception cref="ArgumentException">The owner or group does not exist.</exception>
    public static void Commit(StagedFile staged, UnixFileMode mode, string? owner, string? group)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(NeedsUnix);
        }

        staged.EnsurePending();
        staged.FlushToDisk();
        var userId = string.IsNullOrEmpty(owner) ? LibC.KeepId : ResolveUser(owner);
        var groupId = string.IsNullOrEmpty(group) ? LibC.KeepId : ResolveGroup(group);
        // On the open handle, not by path: the name could be swapped for a link in between, the handle cannot
        if (userId != LibC.KeepId || groupId != LibC.KeepId)
        {
            ChangeOwner(staged, userId, groupId);
        }

        // After chown, which clears setuid/setgid bits.
        File.SetUnixFileMode(staged.Content.SafeFileHandle, mode);
        File.Move(staged.Path, staged.DestPath, overwrite: true);
        staged.MarkCommitted();
        SyncFolder(Path.GetDirectoryName(staged.DestPath)!);
    }

    [UnsupportedOSPlatform("windows")]
    private static FileStream Create(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew, // never follows a planted symlink or reuses someone else's file
        Access = FileAccess.Write,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, // private until Commit applies the configured mode
        BufferSize = 0, // content comes in 64 KiB chunks: each goes straight to write(2)
    });

    private static uint ResolveUser(string owner) =>
        UnixAccounts.TryResolveUser(owner, out var id)
            ? id
            : throw new ArgumentException($"unknown user '{owner}': owner must be an existing user name or a numeric uid");

    private static uint ResolveGroup(string group) =>
        UnixAccounts.TryResolveGroup(group, out var id)
            ? id
            : throw new ArgumentException($"unknown group '{group}': group must be an existing group name or a numeric gid");

    private static void ChangeOwner(StagedFile staged, uint userId, uint groupId)
    {
        if (LibC.fchown(staged.Content.SafeFileHandle, userId, groupId) != 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            throw new IOException($"cannot set owner of {staged.DestPath} to {Describe(userId)}:{Describe(groupId)}: {error}");
        }

        static string Describe(uint id) => id == LibC.KeepId ? "(unchanged)" : id.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Best effort: by now dest is replaced, so a failure here must not report the write as failed
    /// (the caller would then skip the reload of a file that did change).
    /// </summary>
    private static void SyncFolder(string folder)
    {
        var fd = LibC.open(folder, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            return;
        }

        _ = LibC.fsync(fd);
        _ = LibC.close(fd);
    }
}
