using System.Net;
using System.Net.Sockets;

namespace Reconciler.Bench;

/// <summary>A loopback TCP port nobody listens on now (the OS picks it).</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
