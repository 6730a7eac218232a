using System.Runtime.InteropServices;

namespace Reconciler.Actors.Output;

internal enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,

    /// <summary>A FIFO, socket or device: nothing a config file may be.</summary>
    Other,
}

/// <summary>
/// What the kernel says of a file (statx): its kind, permission bits, owner, size, inode and modification time (in
/// ticks since the epoch, for telling a changed file). A symbolic link is described itself, never followed, so a link
/// planted where a file is expected shows up as one.
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, UnixFileMode Mode, uint UserId, uint GroupId, long Size, ulong Inode, long ModifiedTicks)
{
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;
    private const int Directory = 0x4000;
    private const int SymbolicLink = 0xA000;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>The file at <paramref name="path"/> itself (a link is not followed); null when there is none.</summary>
    /// <param name="followLink">Describe what a link at <paramref name="path"/> points to instead.</param>
    /// <exception cref="IOException">It cannot be examined (permission denied on a folder of the path, say).</exception>
    public static FileStatus? Of(string path, bool followLink = false)
    {
        var flags = followLink ? 0 : LibC.AT_SYMLINK_NOFOLLOW;
        if (LibC.statx(LibC.AT_FDCWD, path, flags, LibC.STATX_BASIC_STATS, out var status) == 0)
        {
            return From(status);
        }

        var error = Marshal.GetLastPInvokeError();
        return error is ENOENT or ENOTDIR ? null : throw new IOException($"cannot examine {path}: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    /// <summary>The file <paramref name="handle"/> has open.</summary>
    public static FileStatus Of(SafeHandle handle, string path) =>
        LibC.statx(handle, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var status) == 0
            ? From(status)
            : throw new IOException($"cannot examine {path}: {Marshal.GetLastPInvokeErrorMessage()}");

    private static FileStatus From(LibC.Statx status)
    {
        var kind = (status.Mode & TypeMask) switch
        {
            Regular => FileKind.Regular,
            Directory => FileKind.Directory,
            SymbolicLink => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
        var modified = (status.ModifyTime.Seconds * TimeSpan.TicksPerSecond) + (status.ModifyTime.Nanoseconds / 100);
        return new FileStatus(kind, (UnixFileMode)(status.Mode & 0xFFF), status.UserId, status.GroupId, (long)status.Size, status.Inode, modified);
    }
}
