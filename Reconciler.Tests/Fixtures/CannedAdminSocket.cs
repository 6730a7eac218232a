using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A unix socket that plays HAProxy's admin socket with answers a test chooses: one connection per command, the
/// command read up to its newline, the answer written, the connection closed. What it received is kept in order.
/// </summary>
public sealed class CannedAdminSocket : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-canned-socket-").FullName;
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly Func<string, string> _answer;
    private readonly ConcurrentQueue<string> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    /// <param name="answer">the answer to a command, as HAProxy would write it (its blank line included)</param>
    public CannedAdminSocket(Func<string, string> answer)
    {
        _answer = answer;
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen();
        _serving = ServeAsync();
    }

    public string Path => System.IO.Path.Combine(_folder, "admin.sock");

    /// <summary>Everything received, one entry per connection, without the final newline.</summary>
    public IReadOnlyList<string> Received => [.. _received];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the listener was closed under the accept
        }

        _stop.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var connection = await _listener.AcceptAsync(_stop.Token);
            var command = await ReadLineAsync(connection);
            _received.Enqueue(command);
            await connection.SendAsync(Encoding.ASCII.GetBytes(_answer(command)), SocketFlags.None, _stop.Token);
            connection.Shutdown(SocketShutdown.Both);
        }
    }

    private async Task<string> ReadLineAsync(Socket connection)
    {
        var line = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
        {
            line.Append(Encoding.ASCII.GetString(buffer, 0, read));
            if (line.ToString().EndsWith('\n'))
            {
                break;
            }
        }

        return line.ToString().TrimEnd('\n');
    }
}
