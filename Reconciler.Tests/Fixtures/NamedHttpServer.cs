using System.Globalization;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A stand-in application instance on a loopback port: an HTTP/1.1 server on plain sockets that answers every
/// request with its name (so a client behind a load balancer can tell which instance served it) and counts what
/// it served. Disposing it is a crash, not a graceful stop: every open connection is reset, with whatever request
/// was on it unanswered, and new connections are refused. An instance started with <see cref="StartDropping"/>
/// dies with every request in flight: it reads the request and resets the connection without answering.
/// </summary>
public sealed class NamedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly bool _dropsRequests;
    private readonly byte[] _answer;
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly ConcurrentQueue<string> _dropped = new();
    private readonly Task _serving;
    private int _served;

    private NamedHttpServer(string name, bool dropsRequests)
    {
        Name = name;
        _dropsRequests = dropsRequests;
        _answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {name.Length}\r\n\r\n{name}");
        _listener.Start();
        _serving = AcceptAsync();
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The registration value the scenario's template turns into a <c>server</c> line: "name ip:port".</summary>
    public string Registration => $"{Name} 127.0.0.1:{Port}";

    public int Served => Volatile.Read(ref _served);

    /// <summary>The methods of the requests a dropping instance received and reset, in order.</summary>
    public IReadOnlyList<string> Dropped => [.. _dropped];

    public static NamedHttpServer Start(string name) => new(name, dropsRequests: false);

    public static NamedHttpServer StartDropping(string name) => new(name, dropsRequests: true);

    /// <summary>Crashes: connections are reset and refused from now on. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving;
        foreach (var connection in _connections.Keys)
        {
            Reset(connection);
        }

        await Task.WhenAll(_connections.Values);
    }

    private async Task AcceptAsync()
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

            _connections[connection] = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        await Task.Yield(); // registered in _connections before it can end and remove itself
        var requests = new RequestReader(connection);
        try
        {
            while (await requests.NextAsync() is { } method)
            {
                if (_dropsRequests)
                {
                    _dropped.Enqueue(method);
                    break;
                }

                await connection.SendAsync(_answer, SocketFlags.None);
                Interlocked.Increment(ref _served);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // reset by the peer, or by the crash
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            Reset(connection);
        }
    }

    /// <summary>Closes with RST, as the kernel does for a process that died.</summary>
    private static void Reset(Socket connection)
    {
        try
        {
            connection.LingerState = new LingerOption(enable: true, seconds: 0);
            connection.Close();
        }
        catch (ObjectDisposedException)
        {
            // already closed
        }
    }

    /// <summary>Reads requests off one connection: the head up to the blank line, then a Content-Length body, skipped.</summary>
    private sealed class RequestReader(Socket connection)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _length;

        /// <returns>The request's method, or null when the peer closed the connection between requests.</returns>
        public async Task<string?> NextAsync()
        {
            int headEnd;
            while ((headEnd = _buffer.AsSpan(0, _length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await ReadMoreAsync())
                {
                    return null;
                }
            }

            var head = Encoding.ASCII.GetString(_buffer, 0, headEnd).Split("\r\n");
            var bodyLength = head.Skip(1)
                .Select(line => line.Split(':', 2))
                .Where(pair => pair.Length == 2 && pair[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(pair => int.Parse(pair[1].Trim(), CultureInfo.InvariantCulture))
                .FirstOrDefault();
            var requestEnd = headEnd + 4 + bodyLength;
            while (_length < requestEnd)
            {
                if (!await ReadMoreAsync())
                {
                    return null;
                }
            }

            _buffer.AsSpan(requestEnd, _length - requestEnd).CopyTo(_buffer);
            _length -= requestEnd;
            return head[0].Split(' ')[0];
        }

        private async Task<bool> ReadMoreAsync()
        {
            var read = await connection.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None);
            _length += read;
            return read > 0;
        }
    }
}
