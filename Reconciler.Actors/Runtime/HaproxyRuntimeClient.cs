using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// HAProxy's admin socket: a unix socket path or host:port. One command per connection (HAProxy answers and closes),
/// each bounded by <paramref name="timeout"/>. Throws <see cref="HaproxySocketException"/> when the socket cannot be
/// reached or does not answer in time, and for a command that is not exactly one command or a payload that is not
/// only lines of data, and before anything is sent to a unix socket that may not be HAProxy's (<see cref="AdminSocketTrust"/>).
/// </summary>
internal sealed class HaproxyRuntimeClient(string socket, TimeSpan timeout)
{
    public string Socket => socket;

    public Task<string> SendAsync(string command, CancellationToken cancellationToken) =>
        ExchangeAsync(OneCommand(command) + "\n", cancellationToken);

    /// <summary>
    /// Sends <paramref name="commands"/> on one line, ';' between them, and returns HAProxy's answers to all of them
    /// (each command checked as <see cref="SendAsync"/> checks one: the ';' are only ever this method's).
    /// </summary>
    public Task<string> SendAllAsync(IReadOnlyList<string> commands, CancellationToken cancellationToken) =>
        ExchangeAsync(string.Join("; ", commands.Select(OneCommand)) + "\n", cancellationToken);

    /// <summary>
    /// Sends <paramref name="command"/> with <paramref name="payload"/> after it (HAProxy's <c>command &lt;&lt;</c>: lines
    /// up to an empty one). Each payload line must be non-empty printable ASCII (tabs allowed), so the payload can
    /// neither end early nor carry a command.
    /// </summary>
    public Task<string> SendPayloadAsync(string command, IReadOnlyList<string> payload, CancellationToken cancellationToken)
    {
        if (payload.FirstOrDefault(line => line.Length == 0 || line.Any(c => c is (< ' ' and not '\t') or > '~')) is { } bad)
        {
            throw new HaproxySocketException(
                $"not sent to socket {socket}: a payload line of '{HaproxyCliWord.Printable(command)}' is {(bad.Length == 0 ? "empty" : "not printable ASCII")}");
        }

        var text = new StringBuilder(OneCommand(command)).Append(" <<\n");
        foreach (var line in payload)
        {
            text.Append(line).Append('\n');
        }

        return ExchangeAsync(text.Append('\n').ToString(), cancellationToken);
    }

    /// <summary>
    /// <paramref name="command"/> when it is exactly one command. The plans refuse such words already; this keeps a
    /// second command off the socket whatever the caller. A HaproxySocketException, not an ArgumentException: every
    /// caller handles it (a runtime change falls back to a reload, a read-back logs it), so a slip never crashes or
    /// goes unseen.
    /// </summary>
    private string OneCommand(string command) =>
        command.Any(c => c is < ' ' or > '~' or ';') || command.Contains("<<", StringComparison.Ordinal)
            ? throw new HaproxySocketException(
                $"not sent to socket {socket}: '{HaproxyCliWord.Printable(command)}' is not one command (it holds a ';', '<<', a control character or non-ASCII)")
            : command;

    private async Task<string> ExchangeAsync(string text, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            if (IsUnix && AdminSocketTrust.PathProblem(socket) is { } pathProblem)
            {
                throw new HaproxySocketException($"socket {socket} not used: {pathProblem}");
            }

            using var connection = Connect(out var endpoint);
            await connection.ConnectAsync(endpoint, deadline.Token);
            if (IsUnix && AdminSocketTrust.PeerProblem(connection, socket) is { } peerProblem)
            {
                throw new HaproxySocketException($"socket {socket} not used: {peerProblem}");
            }

            await connection.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None, deadline.Token);
            // whole, then decoded: a map's value may be UTF-8, and a character may straddle two reads
            using var answer = new MemoryStream();
            var buffer = new byte[65536];
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }

            return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HaproxySocketException($"socket {socket} did not answer within {timeout.TotalSeconds:0.#}s");
        }
        catch (SocketException e)
        {
            throw new HaproxySocketException($"socket {socket} unavailable: {e.Message}");
        }
    }

    /// <summary>A unix socket path; else host:port, which neither a folder nor SO_PEERCRED can vouch for.</summary>
    private bool IsUnix => socket.StartsWith('/');

    private System.Net.Sockets.Socket Connect(out EndPoint endpoint)
    {
        if (IsUnix)
        {
            endpoint = new UnixDomainSocketEndPoint(socket);
            return new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }

        endpoint = IPEndPoint.Parse(socket);
        return new System.Net.Sockets.Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    }
}

internal sealed class HaproxySocketException(string message) : Exception(message);
