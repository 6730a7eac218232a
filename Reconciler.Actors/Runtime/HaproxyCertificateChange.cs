using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// A PEM file of a <c>crt</c> (certificate, chain, key in any order), as <c>set ssl cert</c> sends it: its lines
/// without the empty ones (an empty line would end the payload; PEM readers skip them) and without a CR at their
/// end, and the leaf certificate's
/// serial and SHA-1 fingerprint, which <c>show ssl cert</c> reads back. Only these and line counts reach a log.
/// </summary>
public sealed record HaproxyCertificateChange(string Name, ImmutableArray<string> Payload, string? Serial, string? Fingerprint, string? Refusal) : RuntimeChange
{
    public override string? Refusal { get; } = Refusal;

    /// <summary>False when HAProxy already runs this file's content (only its mode or owner changed, say).</summary>
    public bool ChangesCertificate { get; init; } = true;

    /// <summary>set ssl cert, commit ssl cert; nothing when the content stays the same.</summary>
    public override int CommandCount => ChangesCertificate ? 2 : 0;

    public static HaproxyCertificateChange Between(string live, string rendered, string name) =>
        Of(rendered, name) with { ChangesCertificate = live != rendered };

    public static HaproxyCertificateChange Of(string pem, string name)
    {
        if (!HaproxyCliWord.IsSafe(name))
        {
            return new(name, [], null, null, $"{name} cannot be sent to the admin socket as one word");
        }

        if (pem.Any(c => c is (< ' ' and not ('\n' or '\r')) or > '~'))
        {
            return new(name, [], null, null, "the certificate file holds a character outside printable ASCII");
        }

        using var leaf = Leaf(pem);
        return leaf is null
            ? new(name, [], null, null, "the certificate file holds no readable CERTIFICATE block")
            : new(name, [.. pem.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0)], Normalized(leaf.SerialNumber), leaf.GetCertHashString(), null);
    }

    /// <summary>
    /// Why HAProxy would refuse to load <paramref name="pem"/> (no certificate; more than one private key; a private
    /// key that is not the certificate's); null when it would load it. A file without a key is fit: HAProxy may find
    /// the key in <c>&lt;file&gt;.key</c>. More than one key is refused outright: OpenSSL and HAProxy take the first,
    /// while .NET pairs the certificate with the first key of its algorithm, so an EC key before the RSA one passed
    /// a check HAProxy then failed.
    /// </summary>
    public static string? Unfit(string pem)
    {
        using var leaf = Leaf(pem);
        if (leaf is null)
        {
            return "the certificate file holds no readable CERTIFICATE block";
        }

        var keys = PrivateKeyCount(pem);
        if (keys == 0)
        {
            return null;
        }

        if (keys > 1)
        {
            return $"the certificate file holds {keys} private keys: HAProxy reads only the first; keep one, the certificate's";
        }

        try
        {
            using var paired = X509Certificate2.CreateFromPem(pem, pem);
            return null;
        }
        catch (CryptographicException)
        {
            return "the private key in the certificate file is not the certificate's (or cannot be read)";
        }
    }

    /// <summary>The serial in the form both sides are compared in: hex digits without leading zeros (HAProxy prints whole bytes).</summary>
    public static string Normalized(string serial) => serial.TrimStart('0') is { Length: > 0 } digits ? digits.ToUpperInvariant() : "0";

    /// <summary>PEM blocks whose label is a private key's: PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY...</summary>
    private static int PrivateKeyCount(string pem)
    {
        var count = 0;
        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var found))
        {
            if (rest.Span[found.Label].EndsWith("PRIVATE KEY", StringComparison.Ordinal))
            {
                count++;
            }

            rest = rest[found.Location.End..];
        }

        return count;
    }

    /// <summary>The first certificate of <paramref name="pem"/>: the leaf, by the order HAProxy and OpenSSL read a crt file.</summary>
    private static X509Certificate2? Leaf(string pem)
    {
        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var found))
        {
            if (rest.Span[found.Label].SequenceEqual("CERTIFICATE"))
            {
                try
                {
                    return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest.Span[found.Base64Data].ToString()));
                }
                catch (CryptographicException)
                {
                    return null;
                }
            }

            rest = rest[found.Location.End..];
        }

        return null;
    }
}
