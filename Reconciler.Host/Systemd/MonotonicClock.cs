using System.Runtime.InteropServices;

namespace Reconciler.Host.Systemd;

/// <summary>CLOCK_MONOTONIC, the clock systemd's <c>MONOTONIC_USEC=</c> is read against.</summary>
internal static class MonotonicClock
{
    private const int ClockMonotonic = 1;

    public static long Microseconds
    {
        get
        {
            if (clock_gettime(ClockMonotonic, out var now) != 0)
            {
                throw new InvalidOperationException($"clock_gettime(CLOCK_MONOTONIC) failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return (now.Seconds * 1_000_000) + (now.Nanoseconds / 1_000);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
