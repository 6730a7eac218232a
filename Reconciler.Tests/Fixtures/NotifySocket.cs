using System.Net.Sockets;
using System.Text;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// Plays systemd's side of sd_notify: a bound unix datagram socket (a file in a temp folder, or an
/// abstract name) that keeps every notification received, in order.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string? _folder;
    private readonly List<string> _received = [];

    public NotifySocket(bool abstractName = false)
    {
        if (abstractName)
        {
            Address = $"@reconciler-test-{Guid.NewGuid():N}";
            _socket.Bind(new UnixDomainSocketEndPoint(string.Concat("\0", Address.AsSpan(1))));
        }
        else
        {
            _folder = Directory.CreateTempSubdirectory("reconciler-notify-").FullName;
            Address = Path.Combine(_folder, "notify.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(Address));
        }
    }

    /// <summary>What goes into NOTIFY_SOCKET.</summary>
    public string Address { get; }

    /// <summary>Every datagram received so far.</summary>
    public IReadOnlyList<string> Received => _received;

    /// <summary>Receives until a datagram matches; returns it. Throws when none does within <paramref name="timeout"/>.</summary>
    public async Task<string> ExpectAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, length);
                _received.Add(message);
                if (match(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {what} within {timeout.TotalSeconds:0}s; received: [{string.Join(" | ", _received)}]");
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
