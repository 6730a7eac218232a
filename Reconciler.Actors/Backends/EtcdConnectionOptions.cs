using Reconciler.Actors.State;

namespace Reconciler.Actors.Backends;

/// <summary>
/// How to reach an etcd cluster. TLS is used when the endpoints are <c>https://</c>; the CA file
/// (PEM, may hold several certificates) replaces the system trust store, and a client
/// certificate/key pair (PEM) is sent when both are given. Username/password turn on etcd auth.
/// </summary>
public sealed record EtcdConnectionOptions(IReadOnlyList<string> Endpoints)
{
    public string? Username { get; init; }

    public string? Password { get; init; }

    public string? CaFile { get; init; }

    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>Deadline for each unary call (a range page, a status probe, a lease call).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A watch stream that has not answered a progress request for this long is broken.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest gRPC message accepted: etcd takes values up to its 1.5 MiB request limit, and a range page
    /// or a watch response carries several of them.
    /// </summary>
    public int MaxMessageSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>What a read or a watch keeps (reconciler.backend's max-key-bytes, max-value-bytes, max-prefix-bytes).</summary>
    public KeyLimits Limits { get; init; } = KeyLimits.None;

    public bool UsesTls => Endpoints.Any(e => e.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Endpoints without any user-info part, safe for logs and error messages.</summary>
    public string DisplayEndpoints => string.Join(",", Endpoints.Select(StripUserInfo));

    // Records print every property; this one holds a password.
    public override string ToString() => $"etcd {DisplayEndpoints}";

    private static string StripUserInfo(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped).TrimEnd('/')
            : endpoint;
}
