using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Reconciler.Actors.Backends;

/// <summary>
/// A direct connection to one endpoint, made after a call failed without saying why: gRPC retries a connection that
/// fails (refused, a TLS handshake the server ends) until the call's deadline, and then says only DeadlineExceeded.
/// TCP, then for https the TLS handshake as the client makes it and the server's first answer to an HTTP/2 preface.
/// </summary>
internal static class EtcdConnectionCheck
{
    // HTTP/2's client preface and an empty SETTINGS frame: etcd answers with its own SETTINGS
    private static readonly byte[] Http2Preface = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 4, 0, 0, 0, 0, 0];

    /// <returns>What went wrong; null when the connection works as far as it goes, or gives no answer in time.</returns>
    public static async Task<Exception?> FailureAsync(string endpoint, EtcdConnectionOptions options, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(uri.Host, uri.Port, timeout.Token);
            if (!options.UsesTls)
            {
                return null;
            }

            await using var tls = new SslStream(tcp.GetStream());
            var ssl = new SslClientAuthenticationOptions { TargetHost = uri.Host, ApplicationProtocols = [SslApplicationProtocol.Http2] };
            EtcdClientFactory.ConfigureTls(options)(ssl);
            await tls.AuthenticateAsClientAsync(ssl, timeout.Token);
            await tls.WriteAsync(Http2Preface, timeout.Token);
            return await tls.ReadAsync(new byte[1], timeout.Token) == 0 ? new ClosedAfterHandshakeException() : null;
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException)
        {
            return e;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
