using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A throwaway PKI in a temp folder, as PEM files the way an operator gets them: a CA, a server certificate for
/// 127.0.0.1 issued by it (for etcd), a client certificate issued by it (for the reconciler), and a second,
/// unrelated CA that trusts nothing here. Deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-pki-").FullName;

    public TestCertificates()
    {
        using var ca = CreateAuthority("Reconciler test CA");
        using var other = CreateAuthority("Some other CA");
        WritePem(CaFile, ca);
        WritePem(OtherCaFile, other);

        var server = new SubjectAlternativeNameBuilder();
        server.AddIpAddress(IPAddress.Loopback);
        server.AddDnsName("localhost");
        IssueLeaf(ca, "etcd", server.Build(), serverAuth: true, ServerCertFile, ServerKeyFile);
        IssueLeaf(ca, "reconciler", extension: null, serverAuth: false, ClientCertFile, ClientKeyFile);
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
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static void IssueLeaf(X509Certificate2 issuer, string name, X509Extension? extension, bool serverAuth, string certFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var usage = serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2";
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (extension is not null)
        {
            request.CertificateExtensions.Add(extension);
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        using var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        WritePem(certFile, certificate);
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }

    private static void WritePem(string path, X509Certificate2 certificate) =>
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
}
