using System.Runtime.InteropServices;

// CA2101 asks for a Windows CharSet; on Linux every string here is marshalled as UTF-8, said on each parameter
#pragma warning disable CA2101

namespace Reconciler.Actors.Output;

/// <summary>
/// The few libc calls .NET does not expose: process-group kill, spawning in a new session, fchown, statx, opening
/// without following a symlink, directory fsync, user/group lookup, extended attributes (POSIX ACLs) and realpath. Linux (glibc) values; the daemon runs on Linux only.
/// </summary>
internal static partial class LibC
{
    private const string Library = "libc";

    public const int SIGHUP = 1;

    public const int SIGKILL = 9;
    public const int SIGSTOP = 19;
    public const int SIGTERM = 15;

    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ERANGE = 34;

    public const int ELOOP = 40;
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;

    public const int O_RDONLY = 0;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;

    /// <summary>statx: type, mode, nlink, uid, gid, times, ino, size, blocks.</summary>
    public const uint STATX_BASIC_STATS = 0x7ff;

    /// <summary>O_NOFOLLOW is one of the few open flags whose value depends on the architecture.</summary>
    public static int O_NOFOLLOW => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    public const int SIGCHLD = 17;

    /// <summary>The handler field of <c>struct sigaction</c> (its first field on x64 and arm64) for "ignore".</summary>
    public const nint SIG_IGN = 1;

    /// <summary>Bytes that hold glibc's <c>struct sigaction</c> (152 on x64), with room.</summary>
    public const int SigactionBytes = 256;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    /// <summary>Bytes that hold glibc's posix_spawn_file_actions_t (80), posix_spawnattr_t (336) or sigset_t (128), with room.</summary>
    public const int SpawnStructBytes = 512;

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

    /// <summary>The kernel's <c>struct statx</c> (256 bytes): the fields used, then the rest as padding.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    public struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint LinkCount;
        public uint UserId;
        public uint GroupId;
        public ushort Mode;
        public ushort Spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp AccessTime;
        public StatxTimestamp BirthTime;
        public StatxTimestamp ChangeTime;
        public StatxTimestamp ModifyTime;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        public int Reserved;
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

    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int PR_GET_CHILD_SUBREAPER = 37;
    public const int WNOHANG = 1;

    /// <summary>prctl is variadic in C; every option used here takes integers, which are passed as the fixed ones are.</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial int prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [DllImport(Library)]
    public static extern uint geteuid();

    [DllImport(Library)]
    public static extern uint getegid();

    [DllImport(Library, SetLastError = true)]
    public static extern int fchown(SafeHandle fd, uint owner, uint group);

    [DllImport(Library, SetLastError = true)]
    public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    /// <summary>
    /// <c>struct statx</c> has the same layout on every architecture (unlike <c>struct stat</c>), so one declaration
    /// serves x64 and arm64.
    /// </summary>
    [DllImport(Library, SetLastError = true)]
    public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out Statx buffer);

    [DllImport(Library, SetLastError = true)]
    public static extern int statx(SafeHandle dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out Statx buffer);

    [DllImport(Library, SetLastError = true)]
    public static extern int fsync(int fd);

    /// <summary>Returns the value's length, or -1 (ENODATA: no such attribute; ERANGE: <paramref name="size"/> too small).</summary>
    [DllImport(Library, SetLastError = true)]
    public static extern nint getxattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] value, nuint size);

    /// <summary>The path with every link and ".." resolved, in memory to release with <see cref="free"/>; zero on failure.</summary>
    [DllImport(Library, SetLastError = true)]
    public static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport(Library)]
    public static extern void free(IntPtr memory);

    [DllImport(Library, SetLastError = true)]
    public static extern int close(int fd);

    /// <summary>Reentrant lookup (renderers commit concurrently); returns 0 with a null result when the name is unknown.</summary>
    [DllImport(Library)]
    public static extern int getpwnam_r([MarshalAs(UnmanagedType.LPUTF8Str)] string name, out Passwd passwd, byte[] buffer, nuint bufferLength, out IntPtr result);

    /// <summary>Reentrant lookup; returns 0 with a null result when the name is unknown.</summary>
    [DllImport(Library)]
    public static extern int getgrnam_r([MarshalAs(UnmanagedType.LPUTF8Str)] string name, out Group group, byte[] buffer, nuint bufferLength, out IntPtr result);

    /// <summary>Zeroed memory for a libc structure passed by pointer; freed with <see cref="Marshal.FreeCoTaskMem"/>.</summary>
    public static IntPtr AllocZeroed(int bytes)
    {
        var memory = Marshal.AllocCoTaskMem(bytes);
        Marshal.Copy(new byte[bytes], 0, memory, bytes);
        return memory;
    }

    [DllImport(Library, SetLastError = true)]
    public static extern int pipe2(int[] fds, int flags);

    [DllImport(Library)]
    public static extern int posix_spawn_file_actions_init(IntPtr actions);

    [DllImport(Library)]
    public static extern int posix_spawn_file_actions_destroy(IntPtr actions);

    [DllImport(Library)]
    public static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int newFd);

    [DllImport(Library)]
    public static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport(Library)]
    public static extern int posix_spawnattr_init(IntPtr attributes);

    [DllImport(Library)]
    public static extern int posix_spawnattr_destroy(IntPtr attributes);

    [DllImport(Library)]
    public static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [DllImport(Library)]
    public static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr signals);

    [DllImport(Library)]
    public static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

    [DllImport(Library)]
    public static extern int sigemptyset(IntPtr signals);

    [DllImport(Library)]
    public static extern int sigfillset(IntPtr signals);

    /// <summary>Returns 0 or an errno value (it does not set errno).</summary>
    [DllImport(Library)]
    public static extern int posix_spawn(
        out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

    [DllImport(Library, SetLastError = true)]
    public static extern int waitpid(int pid, out int status, int options);

    /// <summary><paramref name="action"/> and <paramref name="previous"/> point at <see cref="SigactionBytes"/> bytes, or are zero.</summary>
    [DllImport(Library, SetLastError = true)]
    public static extern int sigaction(int signal, IntPtr action, IntPtr previous);
}
