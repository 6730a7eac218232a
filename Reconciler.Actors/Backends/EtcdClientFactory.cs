using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
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
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1"; // id-kp-serverAuth

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

    internal static Action<SslClientAuthenticationOptions> ConfigureTls(EtcdConnectionOptions options)
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
                ssl.RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
                    IsTrustedServer(roots, certificate, presented, errors);
            }
        };
    }

    private static X509Certificate2Collection LoadPemBundle(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }

    /// <summary>
    /// Like etcdctl's --cacert: the CA file replaces the system roots, the intermediates the server sent complete the
    /// chain, the names are still checked, and the certificate must be one for a TLS server.
    /// </summary>
    /// <exception cref="AuthenticationException">The chain is not trusted or not for a server: the reason, for the log.</exception>
    private static bool IsTrustedServer(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            throw new AuthenticationException($"the server certificate {leaf.Subject} does not name the host of the endpoint");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // Go's crypto/x509, which etcd and etcdctl use, wants serverAuth too, and takes a certificate without any
        // extended key usage as good for every use; .NET's application policy does the same.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        if (presented is not null)
        {
            // What the server sent: the handshake's chain carries it in its extra store, and the intermediates it
            // could link in its elements. Untrusted either way: only the CA file's certificates are roots.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainElements.Select(element => element.Certificate).ToArray());
        }

        if (chain.Build(leaf))
        {
            return true;
        }

        // Thrown rather than returned false: SslStream's own message would only say that the callback refused it.
        var problems = chain.ChainStatus.Select(status => status.Status).Distinct().ToList();
        var reasons = new List<string>();
        if (problems.Remove(X509ChainStatusFlags.NotValidForUsage))
        {
            reasons.Add($"it is not for a TLS server: its extended key usage lacks serverAuth ({ServerAuthOid})");
        }

        if (problems.Count > 0)
        {
            reasons.Add($"it is not issued by a CA in tls.ca-file ({string.Join(", ", problems.Order())})");
        }

        throw new AuthenticationException($"the server certificate {leaf.Subject} is refused: {string.Join("; ", reasons)}");
    }
}
