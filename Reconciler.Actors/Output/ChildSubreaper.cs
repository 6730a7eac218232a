using System.Runtime.InteropServices;

namespace Reconciler.Actors.Output;

/// <summary>
/// Makes the daemon a child subreaper (<c>PR_SET_CHILD_SUBREAPER</c>): a process a command started whose parent exits
/// (a job put in the background of a subshell, a tool that daemonizes) becomes the daemon's child, not init's, so it
/// stays the daemon's to end and to reap. Such an orphan is not one the daemon spawned, so nothing waits for it: on each
/// SIGCHLD its zombie is reaped here. A command the daemon spawned is left to <see cref="SpawnedProcess"/>, which waits
/// for that pid to learn its exit status.
/// </summary>
public static class ChildSubreaper
{
    /// <summary>
    /// A spawn and its entry in <see cref="Spawned"/> are one step to the reaper, or a command that exits at once could be
    /// reaped as an orphan before it is entered and its status lost. A lock, not an actor: posix_spawn's caller is
    /// whatever thread runs the command, and the reaper runs on the runtime's signal thread.
    /// </summary>
    private static readonly Lock Gate = new();

    private static readonly HashSet<int> Spawned = [];

    private static PosixSignalRegistration? _childSignal;

    /// <summary>
    /// Once, in <c>Main</c> of the daemon, never in a process that starts children with
    /// <see cref="System.Diagnostics.Process"/> (the reaper would take their exit status from it).
    /// </summary>
    /// <returns>False when the kernel refused (the daemon then works as before: an orphan goes to init).</returns>
    public static bool Become()
    {
        // the daemon runs on Linux only (prctl is Linux's); this also tells the platform analyzer so
        if (!OperatingSystem.IsLinux() || LibC.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        {
            return false;
        }

        _childSignal ??= PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ReapOrphans());
        return true;
    }

    /// <summary>Whether this process is a child subreaper now.</summary>
    public static bool IsActive()
    {
        var flag = Marshal.AllocCoTaskMem(sizeof(int));
        try
        {
            Marshal.WriteInt32(flag, 0);
            return LibC.prctl(LibC.PR_GET_CHILD_SUBREAPER, (nuint)flag, 0, 0, 0) == 0 && Marshal.ReadInt32(flag) != 0;
        }
        finally
        {
            Marshal.FreeCoTaskMem(flag);
        }
    }

    /// <summary>Runs <paramref name="spawn"/> (which returns posix_spawn's error and the pid) and enters the child it started.</summary>
    internal static int Spawn(Func<(int Error, int Pid)> spawn, out int pid)
    {
        lock (Gate)
        {
            (var error, pid) = spawn();
            if (error == 0)
            {
                Spawned.Add(pid);
            }

            return error;
        }
    }

    /// <summary>The spawned child <paramref name="pid"/> was reaped by its waiter.</summary>
    internal static void Reaped(int pid)
    {
        lock (Gate)
        {
            Spawned.Remove(pid);
        }
    }

    /// <summary>Reaps every zombie child that is not a spawned command: an orphan that was re-parented here.</summary>
    internal static void ReapOrphans()
    {
        var self = Environment.ProcessId;
        var zombies = ProcessTable.Read().Entries.Where(entry => entry.ParentId == self && entry.IsZombie).Select(entry => entry.Id).ToList();
        lock (Gate)
        {
            foreach (var zombie in zombies.Where(zombie => !Spawned.Contains(zombie)))
            {
                _ = LibC.waitpid(zombie, out _, LibC.WNOHANG);
            }
        }
    }
}
