using System.Collections.Frozen;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Reconciler.Actors.Networks;

/// <summary>
/// The load balancer's own addresses, read from its interfaces once per process: an instance registered at one of them
/// would have HAProxy forward to itself (a loop), or reach a service of the load balancer. Loopback is left out: it
/// has its own rule (<see cref="AddressPolicy"/>). An IPv4 interface's subnet broadcast address counts as its own.
/// </summary>
internal static class LocalAddresses
{
    private static readonly Lazy<FrozenSet<IPAddress>> Read = new(ReadInterfaces);

    public static FrozenSet<IPAddress> Current => Read.Value;

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
}
