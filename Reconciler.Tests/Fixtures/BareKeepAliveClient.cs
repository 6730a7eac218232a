using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// An HTTP/1.1 client with one kept-alive connection and nothing hidden: it drops the connection when the
/// server's FIN arrived before a request (as every real client checks), and when a reused connection closes
/// before any byte of the answer it resends once on a new connection, as RFC 9112 (9.3.1) allows for an
/// idempotent request and as HttpClient, browsers and curl do silently. Unlike them it says so: a resent
/// request is one a POST, which nobody may resend, would have lost.
/// </summary>
public sealed class BareKeepAliveClient(int port) : IDisposable
{
    private readonly byte[] _request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    private readonly byte[] _buffer = new byte[16 * 1024];
    private TcpClient? _connection;

    /// <summary>Sends one GET; returns the status, the body and whether it had to be resent.</summary>
    public async Task<(int Status, string Body, bool Resent)> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null && ClosedByServer(_connection))
        {
            Dispose();
        }

        var reused = _connection is not null;
        try
        {
            var (status, body) = await ExchangeAsync(cancellationToken);
            return (status, body, false);
        }
        catch (ClosedBeforeAnswerException) when (reused)
        {
            var (status, body) = await ExchangeAsync(cancellationToken);
            return (status, body, true);
        }
    }

    private async Task<(int Status, string Body)> ExchangeAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is null)
            {
                _connection = new TcpClient { NoDelay = true };
                await _connection.ConnectAsync("127.0.0.1", port, cancellationToken);
            }

            var stream = _connection.GetStream();
            try
            {
                await stream.WriteAsync(_request, cancellationToken);
            }
            catch (IOException e)
            {
                throw new ClosedBeforeAnswerException(e); // reset or broken pipe: the server had closed it
            }

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
            try
            {
                length += await ReadSomeAsync(stream, length, cancellationToken);
            }
            catch (IOException e) when (length == 0 && e is not ClosedBeforeAnswerException)
            {
                throw new ClosedBeforeAnswerException(e); // reset before the first byte
            }
        }

        var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = head.Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var contentLength = int.Parse(headers.GetValueOrDefault("Content-Length")
            ?? throw new IOException($"response without Content-Length: {head[0]}"), CultureInfo.InvariantCulture);
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
        if (read > 0)
        {
            return read;
        }

        throw offset == 0
            ? new ClosedBeforeAnswerException(null)
            : new IOException("the server closed the connection in the middle of a response");
    }

    private sealed class ClosedBeforeAnswerException(Exception? cause)
        : IOException("the server closed the connection without answering", cause);

    private int IndexOfHeaderEnd(int length) => _buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
}
