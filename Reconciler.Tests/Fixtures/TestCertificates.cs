using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A throwaway PKI in a temp folder, as PEM files the way an operator gets them: a CA, a server certificate for
/// 127.0.0.1 issued by it (for etcd; how: <see cref="EtcdServerCertificate"/>), a client certificate issued by it
/// (for the reconciler), and a second, unrelated CA that trusts nothing here. Deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-pki-").FullName;

    public TestCertificates(EtcdServerCertificate server = EtcdServerCertificate.ForServerAuth)
    {
        using var ca = CreateAuthority("Reconciler test CA");
        using var other = CreateAuthority("Some other CA");
        WritePem(CaFile, ca);
        WritePem(OtherCaFile, other);

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        if (server == EtcdServerCertificate.ThroughIntermediate)
        {
            using var intermediate = IssueAuthority(ca, "Reconciler test intermediate CA");
            using var leaf = IssueLeaf(intermediate, "etcd", names.Build(), [ServerAuth], ServerKeyFile);
            File.WriteAllText(ServerCertFile, Pem(leaf) + Pem(intermediate)); // the chain etcd presents, leaf first
        }
        else
        {
            string[]? usages = server switch
            {
                EtcdServerCertificate.ForClientAuthOnly => [ClientAuth],
                EtcdServerCertificate.WithoutExtendedKeyUsage => null,
                _ => [ServerAuth],
            };
            using var leaf = IssueLeaf(ca, "etcd", names.Build(), usages, ServerKeyFile);
            File.WriteAllText(ServerCertFile, Pem(leaf));
        }

        using var client = IssueLeaf(ca, "reconciler", extension: null, [ClientAuth], ClientKeyFile);
        File.WriteAllText(ClientCertFile, Pem(client));
    }

    public string CaFile => Path.Combine(_folder, "ca.pem");

    public string OtherCaFile => Path.Combine(_folder, "other-ca.pem");

    public string ServerCertFile => Path.Combine(_folder, "etcd.pem");

    public string ServerKeyFile => Path.Combine(_folder, "etcd-key.pem");

    public string ClientCertFile => Path.Combine(_folder, "reconciler.pem");

    public string ClientKeyFile => Path.Combine(_folder, "reconciler-key.pem");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return AuthorityRequest(name, key).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 IssueAuthority(X509Certificate2 issuer, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = AuthorityRequest(name, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), IssuedUntil(issuer), Serial());
        return certificate.CopyWithPrivateKey(key); // it signs the leaf
    }

    private static CertificateRequest AuthorityRequest(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    /// <param name="usages">the extended key usages; null: no such extension</param>
    private static X509Certificate2 IssueLeaf(X509Certificate2 issuer, string name, X509Extension? extension, string[]? usages, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        if (usages is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Select(usage => new Oid(usage))], critical: false));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (extension is not null)
        {
            request.CertificateExtensions.Add(extension);
        }

        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), IssuedUntil(issuer), Serial());
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        return serial;
    }

    private static void WritePem(string path, X509Certificate2 certificate) => File.WriteAllText(path, Pem(certificate));

    private static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>
    /// A day from now, but never past the issuer's own end: both are taken from the clock a moment apart, and a
    /// second boundary between them made CertificateRequest.Create refuse the later one.
    /// </summary>
    private static DateTimeOffset IssuedUntil(X509Certificate2 issuer)
    {
        var wanted = DateTimeOffset.UtcNow.AddDays(1);
        var issuerEnd = new DateTimeOffset(issuer.NotAfter.ToUniversalTime());
        return wanted < issuerEnd ? wanted : issuerEnd;
    }
}
