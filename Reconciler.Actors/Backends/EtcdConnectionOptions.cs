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

    /// <summary>Deadline for each unary call (a range page); the watch stream itself has none.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

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
