using System.Net;
using System.Net.Sockets;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A loopback TCP proxy in front of a server, to cut a client's connection (and refuse new ones)
/// while the server keeps running — e.g. to let etcd compact past a daemon's watch — or to stop
/// forwarding without closing anything, as a black-holed network path or a hung server looks.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly List<TcpClient> _connections = [];
    private readonly object _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource _accepting = new();
    private TaskCompletionSource _flowing = Flowing();

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

    /// <summary>Stops forwarding in both directions; connections stay open and new ones are accepted, and hang.</summary>
    public void Freeze()
    {
        lock (_gate)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Forwards again what was held back and what follows.</summary>
    public void Thaw()
    {
        lock (_gate)
        {
            _flowing.TrySetResult();
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
        Thaw();
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
                ForwardAsync(client.GetStream(), server.GetStream()),
                ForwardAsync(server.GetStream(), client.GetStream()));
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

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    /// <summary>Copies until either side closes, holding each chunk while the proxy is frozen.</summary>
    private async Task ForwardAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            Task flowing;
            lock (_gate)
            {
                flowing = _flowing.Task;
            }

            await flowing;
            await to.WriteAsync(buffer.AsMemory(0, read));
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
