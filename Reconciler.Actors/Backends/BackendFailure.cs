using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace Reconciler.Actors.Backends;

/// <summary>
/// One failed etcd call in plain words: its cause and a one-line message without the endpoint (the caller puts
/// it first, once). gRPC's own words (status codes, "Error connecting to subchannel") are for the debug log only.
/// </summary>
public sealed record BackendFailure(BackendFailureCause Cause, string Message)
{
    /// <param name="error">What the call threw: an <see cref="RpcException"/> (its status and debug exception are
    /// looked into), or what a direct connection attempt threw (<see cref="SocketException"/>,
    /// <see cref="AuthenticationException"/>, <see cref="IOException"/>, ...).</param>
    /// <param name="timeout">The request timeout the call had.</param>
    /// <param name="clientCertificate">Whether a client certificate is configured (tls.cert-file).</param>
    public static BackendFailure Of(Exception error, TimeSpan timeout, bool clientCertificate)
    {
        var chain = Chain(error).ToList();
        if (chain.OfType<SocketException>().FirstOrDefault() is { } socket)
        {
            switch (socket.SocketErrorCode)
            {
                case SocketError.ConnectionRefused:
                    return new(BackendFailureCause.ConnectionRefused, "connection refused");
                case SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain:
                    return new(BackendFailureCause.NameNotResolved, "host name not resolved");
                case SocketError.TimedOut:
                    return TimedOut(timeout);
            }
        }

        if (chain.OfType<AuthenticationException>().FirstOrDefault(e => e.Message.StartsWith("the server certificate", StringComparison.Ordinal)) is { } untrusted)
        {
            return new(BackendFailureCause.ServerNotTrusted, $"TLS: {untrusted.Message}"); // EtcdClientFactory's own words
        }

        if (chain.Any(IsClientCertificateAlert))
        {
            return clientCertificate
                ? new(BackendFailureCause.ClientCertificateRefused, "TLS: the server refused the client certificate of tls.cert-file")
                : new(BackendFailureCause.ClientCertificateMissing, "TLS: the server requires a client certificate: set tls.cert-file and tls.key-file");
        }

        if (chain.OfType<RpcException>().FirstOrDefault() is { } rpc)
        {
            var detail = rpc.Status.Detail;
            if (detail.Contains("no leader", StringComparison.Ordinal))
            {
                return new(BackendFailureCause.NoLeader, "no leader");
            }

            if (detail.Contains("authentication failed", StringComparison.Ordinal) || rpc.StatusCode == StatusCode.Unauthenticated)
            {
                return new(BackendFailureCause.AuthenticationFailed, "authentication failed: wrong username or password");
            }

            switch (rpc.StatusCode)
            {
                case StatusCode.PermissionDenied:
                    return new(BackendFailureCause.PermissionDenied, "permission denied");
                case StatusCode.DeadlineExceeded:
                    return TimedOut(timeout);
            }
        }

        if (chain.Any(e => e is OperationCanceledException or TimeoutException))
        {
            return TimedOut(timeout);
        }

        return new(BackendFailureCause.Other, chain[0] is RpcException only ? Describe(only.Status) : chain[0].Message.ReplaceLineEndings(" "));
    }

    /// <summary>A gRPC status as gRPC says it, on one line: for the debug log, and for causes not named above.</summary>
    public static string Describe(Status status) =>
        status.Detail.Length > 0 ? $"{status.StatusCode}: {status.Detail.ReplaceLineEndings(" ")}" : $"{status.StatusCode}";

    private static BackendFailure TimedOut(TimeSpan timeout) =>
        new(BackendFailureCause.TimedOut, $"timed out after {timeout.TotalSeconds:0.#} s");

    /// <summary>
    /// A TLS alert about the client's certificate (OpenSSL's "certificate required", "bad certificate", ...), or the
    /// connection closed right after the handshake, which is how a server that wants one ends it under TLS 1.3.
    /// </summary>
    private static bool IsClientCertificateAlert(Exception e) =>
        e.Message.Contains("certificate required", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("bad certificate", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("unknown ca", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("certificate unknown", StringComparison.OrdinalIgnoreCase)
        || e is ClosedAfterHandshakeException;

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        var pending = new Stack<Exception>();
        if (error is not null)
        {
            pending.Push(error);
        }

        while (pending.TryPop(out var e))
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }

            if (e is RpcException { Status.DebugException: { } debug })
            {
                pending.Push(debug);
            }
        }
    }
}
