using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Tests.Fixtures;

public static class FreePort
{
    private const int LowestPort = 10000;

    private static readonly object Gate = new();
    private static readonly HashSet<int> HandedOut = [];
    private static readonly (int From, int To) Range = OutsideTheEphemeralRange();

    /// <summary>
    /// A loopback port, free for TCP and UDP now, and not handed out before in this test run. It is picked outside
    /// the kernel's ephemeral range: outgoing connections take their source ports from there, so one of the many a
    /// test run opens cannot take the port between this call and the moment a test's server binds it.
    /// </summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Range.From, Range.To);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port in {Range.From}..{Range.To - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            tcp.Stop();
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Below the ephemeral range when there is room there (the usual 32768..60999 leaves 10000..32767), else above it.</summary>
    private static (int From, int To) OutsideTheEphemeralRange()
    {
        var (low, high) = (32768, 60999);
        try
        {
            var bounds = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            (low, high) = (int.Parse(bounds[0], CultureInfo.InvariantCulture), int.Parse(bounds[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // not Linux, or not readable: assume the kernel's default
        }

        return low - LowestPort >= 2000 ? (LowestPort, low) : (high + 1, 65536);
    }
}
