namespace Reconciler.Tests.Fixtures;

/// <summary>How <see cref="TestCertificates"/> issues etcd's server certificate.</summary>
public enum EtcdServerCertificate
{
    /// <summary>By the CA, for serverAuth.</summary>
    ForServerAuth,

    /// <summary>By an intermediate CA the CA issued; the certificate file holds the leaf, then the intermediate.</summary>
    ThroughIntermediate,

    /// <summary>By the CA, for clientAuth only: not a certificate a TLS server may use.</summary>
    ForClientAuthOnly,

    /// <summary>By the CA, with no extended key usage extension: good for any use, as Go's crypto/x509 reads it.</summary>
    WithoutExtendedKeyUsage,
}
