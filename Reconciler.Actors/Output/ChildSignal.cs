using System.Runtime.InteropServices;

namespace Reconciler.Actors.Output;

/// <summary>
/// A SIGCHLD ignored when the process was started (a parent that set it so; exec keeps it) makes the kernel, and then
/// .NET's own handler, reap every child at once: <see cref="SpawnedProcess"/> would never see a command's exit status,
/// and every check would fail.
/// </summary>
public static class ChildSignal
{
    /// <summary>
    /// Sets an ignored SIGCHLD back to the default. First thing in <c>Main</c>: before .NET's signal handling is set up
    /// and records the disposition it found.
    /// </summary>
    public static void RestoreDefault()
    {
        var current = LibC.AllocZeroed(LibC.SigactionBytes);
        try
        {
            if (LibC.sigaction(LibC.SIGCHLD, IntPtr.Zero, current) == 0 && Marshal.ReadIntPtr(current) == LibC.SIG_IGN)
            {
                // all zeros: SIG_DFL, an empty mask, no flags
                var defaultAction = LibC.AllocZeroed(LibC.SigactionBytes);
                _ = LibC.sigaction(LibC.SIGCHLD, defaultAction, IntPtr.Zero);
                Marshal.FreeCoTaskMem(defaultAction);
            }
        }
        finally
        {
            Marshal.FreeCoTaskMem(current);
        }
    }
}
