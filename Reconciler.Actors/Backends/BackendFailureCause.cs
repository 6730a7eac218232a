namespace Reconciler.Actors.Backends;

/// <summary>Why etcd could not be used, in the operator's terms rather than gRPC's.</summary>
public enum BackendFailureCause
{
    /// <summary>Nothing listens on the endpoint's port.</summary>
    ConnectionRefused,

    /// <summary>No answer within the request timeout (a hung member, a firewall that drops, a slow name lookup).</summary>
    TimedOut,

    /// <summary>The endpoint's host name does not resolve.</summary>
    NameNotResolved,

    /// <summary>The server's certificate is not trusted by tls.ca-file, not for its host name, or not for a TLS server.</summary>
    ServerNotTrusted,

    /// <summary>The server requires a client certificate and none is configured.</summary>
    ClientCertificateMissing,

    /// <summary>The server refused the client certificate configured.</summary>
    ClientCertificateRefused,

    /// <summary>etcd refused the username or password.</summary>
    AuthenticationFailed,

    /// <summary>The user's roles do not grant what was asked.</summary>
    PermissionDenied,

    /// <summary>etcd answered, but has no leader.</summary>
    NoLeader,

    /// <summary>Anything else: said in gRPC's words.</summary>
    Other,
}
