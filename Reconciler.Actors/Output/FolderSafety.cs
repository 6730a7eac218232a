using System.Globalization;
using System.Runtime.InteropServices;

namespace Reconciler.Actors.Output;

/// <summary>
/// Whether anyone but root and the daemon's own user could change what is in a dest folder. The daemon stages, checks
/// and renames files there as root; a folder someone else may write to (or rename, through a parent they may write
/// to) would let them swap a checked file or plant links at the names the daemon uses. The rule is OpenSSH's
/// StrictModes: the folder and each folder above it is owned by root or the daemon's user and writable by nobody
/// else, by its mode or by a POSIX ACL entry; a folder above it may be world-writable only with the sticky bit (like
/// /tmp: others cannot rename what they do not own). A folder reached through a symbolic link is checked along the
/// path as given (whoever may replace the link) and along its real path (whoever may write where it leads).
/// </summary>
internal static class FolderSafety
{
    private const UnixFileMode GroupWrite = UnixFileMode.GroupWrite;
    private const UnixFileMode OtherWrite = UnixFileMode.OtherWrite;

    /// <summary>Why <paramref name="folder"/> is not safe to write into, as a phrase; null when it is (or cannot be examined).</summary>
    public static string? Problem(string folder)
    {
        var path = Path.GetFullPath(folder);
        var real = RealPath(path);
        return Problem(path, path) ?? (real is not null && real != path ? Problem(real, path) : null);
    }

    /// <summary>Walks <paramref name="path"/> up to /; <paramref name="asGiven"/> names the folder in the phrase when the walk is of its real path.</summary>
    private static string? Problem(string path, string asGiven)
    {
        var user = LibC.geteuid();
        var group = LibC.getegid();
        var via = path == asGiven ? string.Empty : $" (where {asGiven} leads)";
        for (var current = path; current is not null; current = Path.GetDirectoryName(current))
        {
            FileStatus? status;
            IReadOnlyList<AclEntry> acl;
            try
            {
                status = FileStatus.Of(current, followLink: true);
                acl = status is null ? [] : PosixAcl.Of(current);
            }
            catch (IOException)
            {
                return null; // the daemon could not write there either; the write itself will say why
            }

            if (status is not { } found)
            {
                continue;
            }

            if (Problem(found, acl, user, group, isDestFolder: current == path) is { } problem)
            {
                return current == path ? $"folder {current}{via} {problem}" : $"folder {current}, above it{via}, {problem}";
            }
        }

        return null;
    }

    private static string? Problem(FileStatus folder, IReadOnlyList<AclEntry> acl, uint user, uint group, bool isDestFolder)
    {
        if (folder.UserId != 0 && folder.UserId != user)
        {
            return $"is owned by uid {Id(folder.UserId)}, not by root or the daemon's user: its owner could swap the files written there";
        }

        var sticky = folder.Mode.HasFlag(UnixFileMode.StickyBit) && !isDestFolder;
        if (folder.Mode.HasFlag(OtherWrite) && !sticky)
        {
            return $"is writable by every user (mode {Octal(folder.Mode)}): make it writable only by root or the daemon's user";
        }

        if (folder.Mode.HasFlag(GroupWrite) && folder.GroupId != 0 && folder.GroupId != group && !sticky)
        {
            return $"is writable by group gid {Id(folder.GroupId)} (mode {Octal(folder.Mode)}): make it writable only by root or the daemon's user";
        }

        return !sticky && PosixAcl.WriterBeyondMode(acl, user, group) is { } writer
            ? $"{writer}: make it writable only by root or the daemon's user (setfacl -x)"
            : null;
    }

    /// <summary><paramref name="path"/> with every link resolved; null when it cannot be (it does not exist, say).</summary>
    private static string? RealPath(string path)
    {
        var resolved = LibC.realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            LibC.free(resolved);
        }
    }

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
