using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;

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
    [InlineData("caf\u00e9\n", "the certificate file holds a character outside printable ASCII")]
    public void A_file_that_is_not_a_readable_certificate_is_a_refusal(string pem, string reason)
    {
        Assert.Equal(reason, HaproxyCertificateChange.Between(string.Empty, pem, Name).Refusal);
    }

    [Fact]
    public void A_crlf_file_goes_through_without_its_carriage_returns()
    {
        var site = SiteCertificate.Create("site");
        var pem = (site.CertificatePem + site.KeyPem).ReplaceLineEndings("\r\n");

        var change = HaproxyCertificateChange.Between(string.Empty, pem, Name);

        Assert.Null(change.Refusal);
        Assert.DoesNotContain(change.Payload, line => line.Contains('\r', StringComparison.Ordinal));
        Assert.Equal(site.Fingerprint, change.Fingerprint);
    }

    [Fact]
    public void A_key_that_is_not_the_certificates_makes_the_file_unfit_and_a_file_without_a_key_is_fit()
    {
        var site = SiteCertificate.Create("site");
        var other = SiteCertificate.Create("other");

        Assert.Null(HaproxyCertificateChange.Unfit(site.CertificatePem + site.KeyPem));
        Assert.Null(HaproxyCertificateChange.Unfit(site.KeyPem + site.CertificatePem + other.CertificatePem));
        Assert.Null(HaproxyCertificateChange.Unfit(site.CertificatePem));
        Assert.Equal("the private key in the certificate file is not the certificate's (or cannot be read)", HaproxyCertificateChange.Unfit(other.CertificatePem + site.KeyPem));
        Assert.Equal("the certificate file holds no readable CERTIFICATE block", HaproxyCertificateChange.Unfit(site.KeyPem));
    }

    [Fact]
    public async Task A_file_with_more_than_one_private_key_is_unfit_as_haproxy_finds_it_whatever_key_dotnet_would_pair()
    {
        using var folder = new TempFolder();
        await OpenSsl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.crt", "-subj", "/CN=site", "-days", "2");
        await OpenSsl(folder, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key");
        string Read(string name) => File.ReadAllText(folder[name]);
        var (certificate, rsa, ec) = (Read("rsa.crt"), Read("rsa.key"), Read("ec.key"));

        Assert.Null(HaproxyCertificateChange.Unfit(certificate + rsa));
        foreach (var pem in new[] { ec + rsa + certificate, certificate + ec + rsa, rsa + rsa + certificate })
        {
            Assert.Equal("the certificate file holds 2 private keys: HAProxy reads only the first; keep one, the certificate's", HaproxyCertificateChange.Unfit(pem));
        }

        Assert.Equal("the private key in the certificate file is not the certificate's (or cannot be read)", HaproxyCertificateChange.Unfit(certificate + ec));

        // HAProxy 2.6 itself: the file .NET alone would have paired (EC key first) is refused, the one-key file loads
        Assert.Equal(0, (await HaproxyCheck(folder, certificate + rsa)).ExitCode);
        Assert.NotEqual(0, (await HaproxyCheck(folder, ec + rsa + certificate)).ExitCode);
    }

    private static async Task OpenSsl(TempFolder folder, params string[] arguments)
    {
        var run = await ExternalCommand.RunAsync("openssl", arguments, TimeSpan.FromSeconds(60), workingDirectory: folder.Path);
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    private static async Task<ProcessResult> HaproxyCheck(TempFolder folder, string pem)
    {
        File.WriteAllText(folder["site.pem"], pem);
        File.WriteAllText(folder["haproxy.cfg"], $"""
            defaults
                mode http
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            frontend site
                bind 127.0.0.1:{FreePort.Next()} ssl crt {folder["site.pem"]}

            """);
        return await ExternalCommand.RunAsync("haproxy", ["-c", "-q", "-f", folder["haproxy.cfg"]], TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("00A1B2", "A1B2")]
    [InlineData("0A1B", "A1B")]
    [InlineData("a1b2", "A1B2")]
    [InlineData("00", "0")]
    public void Serials_compare_without_leading_zeros(string serial, string normalized)
    {
        Assert.Equal(normalized, HaproxyCertificateChange.Normalized(serial));
    }

    [Fact]
    public async Task A_refused_commit_is_aborted_and_its_reason_never_quotes_the_pem()
    {
        var site = SiteCertificate.Create("site");
        await using var socket = new CannedAdminSocket(command => command switch
        {
            _ when command.StartsWith("set ssl cert", StringComparison.Ordinal) => $"Transaction created for certificate {Name}!\n\n",
            _ when command.StartsWith("commit ssl cert", StringComparison.Ordinal) => $"inconsistencies between private key and certificate loaded '{Name}'.\nCan't commit {Name}!\n\n",
            _ => "\n",
        });
        var api = new HaproxyCertificateApi(Name, new HaproxyRuntimeClient(socket.Path, TimeSpan.FromSeconds(5)));

        var result = await api.ApplyAsync(api.ChangeBetween(string.Empty, site.CertificatePem + site.KeyPem), default);

        Assert.Equal(("refused", $"HAProxy refused 'commit ssl cert {Name}': inconsistencies between private key and certificate loaded '{Name}'. / Can't commit {Name}!"), (result.ReasonLabel, result.Reason));
        Assert.Equal([$"set ssl cert {Name} <<", $"commit ssl cert {Name}", $"abort ssl cert {Name}"], socket.Received.Select(r => r.Split('\n')[0]));
        Assert.DoesNotContain("PRIVATE", result.Reason, StringComparison.Ordinal);
    }
}
