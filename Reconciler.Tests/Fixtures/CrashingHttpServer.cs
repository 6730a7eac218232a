using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// An application instance that dies with every request in flight: it accepts the connection (so health checks and
/// connection-level retries see it as up), reads the request head and resets the connection without answering,
/// as a process does when it crashes mid-request. Records the method of every request it dropped.
/// </summary>
public sealed class CrashingHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _serving;
    private readonly ConcurrentQueue<string> _dropped = new();

    private CrashingHttpServer(string name)
    {
        Name = name;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The registration value the scenario's template turns into a <c>server</c> line: "name ip:port".</summary>
    public string Registration => $"{Name} 127.0.0.1:{Port}";

    /// <summary>The methods of the requests it received and dropped, in order.</summary>
    public IReadOnlyList<string> Dropped => [.. _dropped];

    public static CrashingHttpServer Start(string name) => new(name);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving;
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            _ = DropAsync(connection);
        }
    }

    private async Task DropAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                if (await ReadRequestHeadAsync(connection) is { } head)
                {
                    _dropped.Enqueue(head.Split(' ', 2)[0]);
                }

                connection.LingerState = new LingerOption(enable: true, seconds: 0); // close with RST, as a dead process
            }
            catch (SocketException)
            {
                // the peer went first
            }
        }
    }

    /// <summary>The request head, or null when the peer closed before sending one (a TCP health check).</summary>
    private static async Task<string?> ReadRequestHeadAsync(Socket connection)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await connection.ReceiveAsync(buffer, SocketFlags.None);
            if (read == 0)
            {
                return null;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }
}
