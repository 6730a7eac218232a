using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// HAProxy's admin socket: a unix socket path or host:port. One command per connection (HAProxy answers and closes),
/// each bounded by <paramref name="timeout"/>. Throws <see cref="HaproxySocketException"/> when the socket cannot be
/// reached or does not answer in time, and for a command that is not exactly one command.
/// </summary>
internal sealed class HaproxyRuntimeClient(string socket, TimeSpan timeout)
{
    public string Socket => socket;

    public async Task<string> SendAsync(string command, CancellationToken cancellationToken)
    {
        // The plan refuses such words already; this keeps a second command off the socket whatever the caller.
        // A HaproxySocketException, not an ArgumentException: every caller handles it (a runtime change falls back
        // to a reload, the read-back after a reload logs it), so a slip can never crash or go unseen.
        if (command.Any(c => c is < ' ' or > '~' or ';'))
        {
            throw new HaproxySocketException(
                $"not sent to socket {socket}: '{HaproxyCliWord.Printable(command)}' is not one command (it holds a ';', a control character or non-ASCII)");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var connection = Connect(out var endpoint);
            await connection.ConnectAsync(endpoint, deadline.Token);
            await connection.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), SocketFlags.None, deadline.Token);
            var answer = new StringBuilder();
            var buffer = new byte[16384];
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return answer.ToString();
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

    private System.Net.Sockets.Socket Connect(out EndPoint endpoint)
    {
        if (socket.StartsWith('/'))
        {
            endpoint = new UnixDomainSocketEndPoint(socket);
            return new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }

        endpoint = IPEndPoint.Parse(socket);
        return new System.Net.Sockets.Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    }
}

internal sealed class HaproxySocketException(string message) : Exception(message);
