using System.Collections.Frozen;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Reconciler.Actors.Networks;

/// <summary>
/// The load balancer's own addresses, read from its interfaces: an instance registered at one of them would have HAProxy
/// forward to itself (a loop), or reach a service of the load balancer. Loopback is left out: it has its own rule
/// (<see cref="AddressPolicy"/>). An IPv4 interface's subnet broadcast address counts as its own.
/// </summary>
internal static class LocalAddresses
{
    // an address added later (keepalived's, when it moves here) counts within this long; not read on every render,
    // which would cost a few files under /proc per interface
    private static readonly TimeSpan ReadAgainAfter = TimeSpan.FromSeconds(5);

    // renderers of several templates may ask at once: a whole snapshot is swapped in, never a set changed in place
    private static Snapshot? latest;

    public static FrozenSet<IPAddress> Current
    {
        get
        {
            var now = Environment.TickCount64;
            if (Volatile.Read(ref latest) is { } seen && now - seen.ReadAt < ReadAgainAfter.TotalMilliseconds)
            {
                return seen.Addresses;
            }

            var read = new Snapshot(ReadInterfaces(), now);
            Volatile.Write(ref latest, read);
            return read.Addresses;
        }
    }

    private static FrozenSet<IPAddress> ReadInterfaces()
    {
        var addresses = new HashSet<IPAddress>();
        foreach (var unicast in NetworkInterface.GetAllNetworkInterfaces().SelectMany(Unicast))
        {
            var address = AddressPolicy.Normalised(unicast.Address);
            if (IPAddress.IsLoopback(address))
            {
                continue;
            }

            addresses.Add(new IPAddress(address.GetAddressBytes())); // without an IPv6 scope: a registration has none
            if (address.AddressFamily == AddressFamily.InterNetwork && unicast.PrefixLength is > 0 and < 31)
            {
                addresses.Add(Broadcast(address, unicast.PrefixLength));
            }
        }

        return addresses.ToFrozenSet();
    }

    /// <summary>
    /// An interface's addresses; none when the kernel will not say (a sandbox refuses some queries with EOPNOTSUPP):
    /// the other interfaces still count, and loopback, link-local and the rest are refused all the same.
    /// </summary>
    internal static IEnumerable<UnicastIPAddressInformation> Unicast(NetworkInterface networkInterface)
    {
        try
        {
            return [.. networkInterface.GetIPProperties().UnicastAddresses];
        }
        catch (Exception e) when (e is NetworkInformationException or SocketException)
        {
            return [];
        }
    }

    private static IPAddress Broadcast(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        value |= uint.MaxValue >> prefixLength;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    private sealed record Snapshot(FrozenSet<IPAddress> Addresses, long ReadAt);
}
