using System.Globalization;

namespace Reconciler.Actors.Output;

/// <summary>
/// Whether anyone but root and the daemon's own user could change what is in a dest folder. The daemon stages, checks
/// and renames files there as root; a folder someone else may write to (or rename, through a parent they may write
/// to) would let them swap a checked file or plant links at the names the daemon uses. The rule is OpenSSH's
/// StrictModes: the folder and each folder above it is owned by root or the daemon's user and writable by nobody
/// else; a folder above it may be world-writable only with the sticky bit (like /tmp: others cannot rename what they
/// do not own).
/// </summary>
internal static class FolderSafety
{
    private const UnixFileMode GroupWrite = UnixFileMode.GroupWrite;
    private const UnixFileMode OtherWrite = UnixFileMode.OtherWrite;

    /// <summary>Why <paramref name="folder"/> is not safe to write into, as a phrase; null when it is (or cannot be examined).</summary>
    public static string? Problem(string folder)
    {
        var user = LibC.geteuid();
        var group = LibC.getegid();
        var path = Path.GetFullPath(folder);
        for (var current = path; current is not null; current = Path.GetDirectoryName(current))
        {
            FileStatus? status;
            try
            {
                status = FileStatus.Of(current, followLink: true);
            }
            catch (IOException)
            {
                return null; // the daemon could not write there either; the write itself will say why
            }

            if (status is not { } found)
            {
                continue;
            }

            if (Problem(found, user, group, isDestFolder: current == path) is { } problem)
            {
                return current == path ? $"folder {current} {problem}" : $"folder {current}, above it, {problem}";
            }
        }

        return null;
    }

    private static string? Problem(FileStatus folder, uint user, uint group, bool isDestFolder)
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

        return null;
    }

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
