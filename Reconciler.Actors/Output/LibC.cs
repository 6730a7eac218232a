using System.Runtime.InteropServices;

namespace Reconciler.Actors.Output;

/// <summary>
/// The few libc calls .NET does not expose: process-group kill, chown, directory fsync and user/group lookup.
/// Linux (glibc) values; the daemon runs on Linux only.
/// </summary>
internal static class LibC
{
    private const string Library = "libc";

    public const int SIGHUP = 1;

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public const int ESRCH = 3;
    public const int ERANGE = 34;

    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>uid_t/gid_t -1: chown leaves that id unchanged.</summary>
    public const uint KeepId = uint.MaxValue;

    /// <summary>glibc's <c>struct passwd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint UserId;
        public uint GroupId;
        public IntPtr Gecos;
        public IntPtr HomeDirectory;
        public IntPtr Shell;
    }

    /// <summary>glibc's <c>struct group</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Group
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint GroupId;
        public IntPtr Members;
    }

    [DllImport(Library, SetLastError = true)]
    public static extern int kill(int pid, int signal);

    [DllImport(Library, SetLastError = true)]
    public static extern int chown(string path, uint owner, uint group);

    [DllImport(Library, SetLastError = true)]
    public static extern int open(string path, int flags);

    [DllImport(Library, SetLastError = true)]
    public static extern int fsync(int fd);

    [DllImport(Library, SetLastError = true)]
    public static extern int close(int fd);

    /// <summary>Reentrant lookup (renderers commit concurrently); returns 0 with a null result when the name is unknown.</summary>
    [DllImport(Library)]
    public static extern int getpwnam_r(string name, out Passwd passwd, byte[] buffer, nuint bufferLength, out IntPtr result);

    /// <summary>Reentrant lookup; returns 0 with a null result when the name is unknown.</summary>
    [DllImport(Library)]
    public static extern int getgrnam_r(string name, out Group group, byte[] buffer, nuint bufferLength, out IntPtr result);
}
