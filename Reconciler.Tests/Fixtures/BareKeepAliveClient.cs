using System.Net.Sockets;
using System.Text;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// An HTTP/1.1 client that never retries: one kept-alive connection, dropped only when the server closed it
/// before a request (the FIN already arrived, as every real client checks). HttpClient, browsers and curl also
/// quietly resend an idempotent request that a closing connection lost; nobody may resend a POST. A request
/// this client loses to a reload is a request a real POST would have lost.
/// </summary>
public sealed class BareKeepAliveClient(int port) : IDisposable
{
    private readonly byte[] _request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    private readonly byte[] _buffer = new byte[16 * 1024];
    private TcpClient? _connection;

    /// <summary>Sends one GET on the kept connection (opening one if there is none) and returns the status and body.</summary>
    public async Task<(int Status, string Body)> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is not null && ClosedByServer(_connection))
            {
                Dispose();
            }

            if (_connection is null)
            {
                _connection = new TcpClient { NoDelay = true };
                await _connection.ConnectAsync("127.0.0.1", port, cancellationToken);
            }

            var stream = _connection.GetStream();
            await stream.WriteAsync(_request, cancellationToken);
            var (status, body, close) = await ReadResponseAsync(stream, cancellationToken);
            if (close)
            {
                Dispose();
            }

            return (status, body);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>Readable with nothing to read: the server's FIN arrived while the connection was idle.</summary>
    private static bool ClosedByServer(TcpClient connection) =>
        connection.Client.Poll(0, SelectMode.SelectRead) && connection.Client.Available == 0;

    /// <summary>Reads a response framed by Content-Length (all HAProxy and the test servers send).</summary>
    private async Task<(int Status, string Body, bool Close)> ReadResponseAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var length = 0;
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(length)) < 0)
        {
            length += await ReadSomeAsync(stream, length, cancellationToken);
        }

        var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1]);
        var headers = head.Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var contentLength = int.Parse(headers.GetValueOrDefault("Content-Length")
            ?? throw new IOException($"response without Content-Length: {head[0]}"));
        var bodyStart = headerEnd + 4;
        while (length < bodyStart + contentLength)
        {
            length += await ReadSomeAsync(stream, length, cancellationToken);
        }

        var close = headers.GetValueOrDefault("Connection")?.Equals("close", StringComparison.OrdinalIgnoreCase) == true;
        return (status, Encoding.UTF8.GetString(_buffer, bodyStart, contentLength), close);
    }

    private async Task<int> ReadSomeAsync(NetworkStream stream, int offset, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAsync(_buffer.AsMemory(offset), cancellationToken);
        return read > 0 ? read : throw new IOException(offset == 0
            ? "the server closed the kept-alive connection without a response"
            : "the server closed the connection in the middle of a response");
    }

    private int IndexOfHeaderEnd(int length) => _buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
}
