using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Reconciler.Bench;

/// <summary>A self-signed certificate as an operator puts it in etcd: PEM certificate and key, and the fingerprint a client sees.</summary>
public sealed record SiteCertificate(string CertificatePem, string KeyPem, string Fingerprint)
{
    public static SiteCertificate Create(string commonName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return new SiteCertificate(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", certificate.GetCertHashString());
    }
}
