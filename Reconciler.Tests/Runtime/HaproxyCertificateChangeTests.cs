using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Runtime;

public sealed class HaproxyCertificateChangeTests
{
    private const string Name = "/etc/haproxy/site.pem";

    [Fact]
    public void The_payload_is_the_files_lines_without_empty_ones_and_the_leaf_is_the_first_certificate()
    {
        var site = SiteCertificate.Create("site");
        var chain = SiteCertificate.Create("intermediate");
        var pem = $"{site.CertificatePem}\n{chain.CertificatePem}\n\n{site.KeyPem}";

        var change = HaproxyCertificateChange.Between(string.Empty, pem, Name);

        Assert.Null(change.Refusal);
        Assert.Equal(site.Fingerprint, change.Fingerprint);
        Assert.DoesNotContain(string.Empty, change.Payload);
        Assert.Equal(pem.Split('\n').Where(l => l.Length > 0), change.Payload);
        Assert.Equal("runtime (2 commands)", change.Summary);
    }

    [Fact]
    public void The_same_content_again_takes_no_command()
    {
        var site = SiteCertificate.Create("site");
        var pem = site.CertificatePem + site.KeyPem;

        Assert.Equal(0, HaproxyCertificateChange.Between(pem, pem, Name).CommandCount);
    }

    [Theory]
    [InlineData("no pem here\n", "the certificate file holds no readable CERTIFICATE block")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "the certificate file holds no readable CERTIFICATE block")]
    [InlineData("-----BEGIN CERTIFICATE-----\r\nAAAA\r\n-----END CERTIFICATE-----\r\n", "the certificate file holds a character outside printable ASCII (a CR, say)")]
    public void A_file_that_is_not_a_readable_certificate_is_a_refusal(string pem, string reason)
    {
        Assert.Equal(reason, HaproxyCertificateChange.Between(string.Empty, pem, Name).Refusal);
    }

    [Fact]
    public void Refusals_and_summaries_never_quote_the_key()
    {
        var site = SiteCertificate.Create("site");
        var change = HaproxyCertificateChange.Between(string.Empty, site.KeyPem + "\r\n", Name);

        Assert.DoesNotContain("PRIVATE", change.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(site.KeyPem.Split('\n')[1], change.Summary, StringComparison.Ordinal);
    }
}
