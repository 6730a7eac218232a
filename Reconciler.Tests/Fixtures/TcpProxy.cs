using System.Net;
using System.Net.Sockets;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A loopback TCP proxy in front of a server, to cut a client's connection (and refuse new ones)
/// while the server keeps running — e.g. to let etcd compact past a daemon's watch.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly List<TcpClient> _connections = [];
    private readonly object _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource _accepting = new();

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        Port = FreePort.Next();
        Restore();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Closes every proxied connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _accepting.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_gate)
        {
            foreach (var connection in _connections)
            {
                Reset(connection);
            }

            _connections.Clear();
        }
    }

    public void Restore()
    {
        _accepting = new CancellationTokenSource();
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptLoopAsync(listener, _accepting.Token);
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var server = new TcpClient();
        lock (_gate)
        {
            _connections.Add(client);
            _connections.Add(server);
        }

        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort);
            await Task.WhenAny(
                client.GetStream().CopyToAsync(server.GetStream()),
                server.GetStream().CopyToAsync(client.GetStream()));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // a cut connection ends here
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(client);
                _connections.Remove(server);
            }

            client.Dispose();
            server.Dispose();
        }
    }

    /// <summary>Closes with RST, as a broken network path looks to both ends; one the pipe already closed has no socket left.</summary>
    private static void Reset(TcpClient connection)
    {
        try
        {
            if (connection.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (ObjectDisposedException)
        {
            // closed meanwhile
        }

        connection.Dispose();
    }
}
