using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;
using Reconciler.Actors.Backends;

namespace Reconciler.Tests.Backends;

/// <summary>What etcd calls throw, as gRPC and .NET shape it, to the operator's words.</summary>
public sealed class BackendFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("refused, as gRPC wraps it", BackendFailureCause.ConnectionRefused, "connection refused")]
    [InlineData("refused, from a direct connection", BackendFailureCause.ConnectionRefused, "connection refused")]
    [InlineData("name not resolved", BackendFailureCause.NameNotResolved, "host name not resolved")]
    [InlineData("deadline", BackendFailureCause.TimedOut, "timed out after 5 s")]
    [InlineData("cancelled at the deadline", BackendFailureCause.TimedOut, "timed out after 5 s")]
    [InlineData("server certificate refused", BackendFailureCause.ServerNotTrusted, "TLS: the server certificate CN=etcd is refused: it is not issued by a CA in tls.ca-file (PartialChain)")]
    [InlineData("certificate required alert", BackendFailureCause.ClientCertificateMissing, "TLS: the server requires a client certificate: set tls.cert-file and tls.key-file")]
    [InlineData("closed after the handshake", BackendFailureCause.ClientCertificateMissing, "TLS: the server requires a client certificate: set tls.cert-file and tls.key-file")]
    [InlineData("wrong password", BackendFailureCause.AuthenticationFailed, "authentication failed: wrong username or password")]
    [InlineData("permission denied", BackendFailureCause.PermissionDenied, "permission denied")]
    [InlineData("no leader", BackendFailureCause.NoLeader, "no leader")]
    [InlineData("something else", BackendFailureCause.Other, "ResourceExhausted: message too large")]
    public void Each_failure_gets_its_cause_and_one_plain_line(string failure, BackendFailureCause cause, string message)
    {
        var plain = BackendFailure.Of(Thrown(failure), Timeout, clientCertificate: false);

        Assert.Equal(new BackendFailure(cause, message), plain);
        Assert.DoesNotContain("subchannel", plain.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_alert_with_a_client_certificate_configured_says_the_server_refused_it()
    {
        var plain = BackendFailure.Of(Thrown("certificate required alert"), Timeout, clientCertificate: true);

        Assert.Equal(new BackendFailure(BackendFailureCause.ClientCertificateRefused, "TLS: the server refused the client certificate of tls.cert-file"), plain);
    }

    private static Exception Thrown(string failure) => failure switch
    {
        "refused, as gRPC wraps it" => new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.", new SocketException((int)SocketError.ConnectionRefused))),
        "refused, from a direct connection" => new SocketException((int)SocketError.ConnectionRefused),
        "name not resolved" => new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.", new SocketException((int)SocketError.HostNotFound))),
        "deadline" => new RpcException(new Status(StatusCode.DeadlineExceeded, string.Empty)),
        "cancelled at the deadline" => new OperationCanceledException(),
        "server certificate refused" => new RpcException(new Status(
            StatusCode.Internal,
            "Error starting gRPC call. HttpRequestException: The SSL connection could not be established, see inner exception.",
            new HttpRequestException("The SSL connection could not be established, see inner exception.", new AuthenticationException("the server certificate CN=etcd is refused: it is not issued by a CA in tls.ca-file (PartialChain)")))),
        "certificate required alert" => new IOException("Received an unexpected EOF or 0 bytes from the transport stream.", new InvalidOperationException("error:0A00045C:SSL routines::tlsv13 alert certificate required")),
        "closed after the handshake" => new ClosedAfterHandshakeException(),
        "wrong password" => new RpcException(new Status(StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password")),
        "permission denied" => new RpcException(new Status(StatusCode.PermissionDenied, "etcdserver: permission denied")),
        "no leader" => new RpcException(new Status(StatusCode.Unavailable, "etcdserver: no leader")),
        _ => new RpcException(new Status(StatusCode.ResourceExhausted, "message too large")),
    };
}
