using Reconciler.Actors.Configuration;

namespace Reconciler.Actors.Backends;

public static class KeyValueSourceFactory
{
    public static IKeyValueSource Create(BackendSettings backend) => backend.Type switch
    {
        BackendType.File => new FileKeyValueSource(backend.FilePath, backend.Limits),
        _ => new EtcdKeyValueSource(ConnectionOptions(backend)),
    };

    public static EtcdConnectionOptions ConnectionOptions(BackendSettings backend) => new(backend.Endpoints)
    {
        Username = OrNull(backend.Username),
        Password = OrNull(backend.Password),
        CaFile = OrNull(backend.Tls.CaFile),
        CertFile = OrNull(backend.Tls.CertFile),
        KeyFile = OrNull(backend.Tls.KeyFile),
        RequestTimeout = backend.RequestTimeout,
        WatchTimeout = backend.WatchTimeout,
        MaxMessageSize = backend.MaxMessageSize,
        Limits = backend.Limits,
    };

    /// <summary>What <see cref="IKeyValueSource.Description"/> of the source for <paramref name="backend"/> says, without creating it.</summary>
    public static string Describe(BackendSettings backend) => backend.Type switch
    {
        BackendType.File => $"file {backend.FilePath}",
        _ => new EtcdConnectionOptions(backend.Endpoints).ToString(),
    };

    private static string? OrNull(string value) => value.Length == 0 ? null : value;
}
