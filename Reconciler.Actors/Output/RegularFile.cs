using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Reconciler.Actors.Output;

/// <summary>
/// Opens a file the daemon reads back (a live dest) only when it is a plain regular file: a symbolic link is not
/// followed (O_NOFOLLOW) and a FIFO or device neither blocks the open (O_NONBLOCK) nor is read (checked on the open
/// handle, so nothing can be swapped in between). A dest pointing at <c>/dev/zero</c> or a FIFO is an error, not a hang.
/// </summary>
internal static class RegularFile
{
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">It is a link, a FIFO, a device or a folder, or cannot be opened.</exception>
    public static FileStream OpenRead(string path)
    {
        var fd = LibC.open(path, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw error switch
            {
                LibC.ELOOP => new IOException($"{path} is a symbolic link, which is not followed: point dest at the file itself"),
                2 => new FileNotFoundException($"{path} does not exist", path),
                _ => new IOException($"cannot open {path}: {Marshal.GetPInvokeErrorMessage(error)}"),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            EnsureRegular(FileStatus.Of(handle, path), path);
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <exception cref="IOException"><paramref name="status"/> is not that of a regular file; the message says what it is.</exception>
    public static void EnsureRegular(FileStatus status, string path)
    {
        var what = status.Kind switch
        {
            FileKind.Regular => null,
            FileKind.SymbolicLink => "a symbolic link, which is not followed: point dest at the file itself",
            FileKind.Directory => "a folder, not a regular file",
            _ => "a FIFO, socket or device, not a regular file",
        };
        if (what is not null)
        {
            throw new IOException($"{path} is {what}");
        }
    }
}
