using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Grpc.Net.Client;

namespace Reconciler.Actors.Backends;

/// <summary>
/// Builds a dotnet-etcd client from <see cref="EtcdConnectionOptions"/>: endpoints, TLS, auth and channel
/// settings, the same for the watcher's key source and for <c>reconciler register</c>.
/// </summary>
public static class EtcdClientFactory
{
    /// <exception cref="ArgumentException">The options contradict each other (say, TLS files for http:// endpoints).</exception>
    public static EtcdClient Create(EtcdConnectionOptions options)
    {
        Validate(options);
        return CreateClient(options);
    }

    /// <summary>One client per endpoint, so the caller chooses the member each call goes to.</summary>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    public static IReadOnlyList<EtcdMember> CreatePerMember(EtcdConnectionOptions options)
    {
        Validate(options);
        return [.. options.Endpoints.Select(endpoint =>
        {
            var single = options with { Endpoints = [endpoint] };
            return new EtcdMember(single.DisplayEndpoints, CreateClient(single));
        })];
    }

    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    public static void Validate(EtcdConnectionOptions options)
    {
        if (options.Endpoints.Count == 0 || options.Endpoints.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("etcd endpoints: at least one is needed and none may be empty");
        }

        if (options.UsesTls && !options.Endpoints.All(e => e.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("etcd endpoints: either all https:// or none");
        }

        if (!options.UsesTls && (options.CaFile ?? options.CertFile ?? options.KeyFile) is not null)
        {
            throw new ArgumentException("etcd tls: files are set but the endpoints are not https://");
        }

        if ((options.CertFile is null) != (options.KeyFile is null))
        {
            throw new ArgumentException("etcd tls: cert-file and key-file go together");
        }

        if (string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password))
        {
            throw new ArgumentException("etcd auth: username and password go together");
        }
    }

    private static EtcdClient CreateClient(EtcdConnectionOptions options)
    {
        var connectionString = string.Join(",", options.Endpoints);
        void ConfigureChannel(GrpcChannelOptions channel) => Configure(channel, options);
        var client = options.UsesTls
            ? new EtcdClient(connectionString, ConfigureTls(options), configureChannelOptions: ConfigureChannel)
            : new EtcdClient(connectionString, configureChannelOptions: ConfigureChannel);

        // Auth rides on the channel's HTTP handler, so the raw KV and Watch clients send the token too.
        if (!string.IsNullOrEmpty(options.Username))
        {
            client.SetCredentials(options.Username, options.Password!);
        }

        return client;
    }

    private static void Configure(GrpcChannelOptions channel, EtcdConnectionOptions options)
    {
        // gRPC's reconnect backoff grows to 120 s by default; a recovered etcd would stay unreachable that long
        // however often the watcher retried. Capping it leaves the pace to the watcher's own supervisor.
        channel.MaxReconnectBackoff = TimeSpan.FromSeconds(2);

        // gRPC's default 4 MB refuses data etcd itself accepted (a few large values in one page or watch response).
        channel.MaxReceiveMessageSize = options.MaxMessageSize;
    }

    private static Action<SslClientAuthenticationOptions> ConfigureTls(EtcdConnectionOptions options)
    {
        // Loaded here so a missing or malformed file fails at startup, not at the first connection.
        var roots = options.CaFile is null ? null : LoadPemBundle(options.CaFile);
        var clientCertificate = options.CertFile is null
            ? null
            : X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);

        return ssl =>
        {
            if (clientCertificate is not null)
            {
                ssl.ClientCertificates = [clientCertificate];
            }

            if (roots is not null)
            {
                ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    IsIssuedBy(roots, certificate, errors);
            }
        };
    }

    private static X509Certificate2Collection LoadPemBundle(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }

    /// <summary>Like etcdctl's --cacert: the CA file replaces the system roots; names are still checked.</summary>
    private static bool IsIssuedBy(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
