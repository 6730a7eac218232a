using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Reconciler.Tests.Fixtures;

/// <summary>A self-signed TLS certificate for a test site, as PEM texts an operator would put in etcd, with the SHA-1 fingerprint a client sees.</summary>
public sealed record SiteCertificate(string CertificatePem, string KeyPem, string Fingerprint)
{
    public static SiteCertificate Create(string commonName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return new SiteCertificate(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", certificate.GetCertHashString());
    }

    /// <summary>The SHA-1 fingerprint of the first certificate in <paramref name="pem"/> (openssl s_client's output, say); null when there is none.</summary>
    public static string? FingerprintIn(string pem)
    {
        var begin = pem.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        var end = pem.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            return null;
        }

        using var certificate = X509Certificate2.CreateFromPem(pem.AsSpan(begin, end + "-----END CERTIFICATE-----".Length - begin));
        return certificate.GetCertHashString();
    }
}
