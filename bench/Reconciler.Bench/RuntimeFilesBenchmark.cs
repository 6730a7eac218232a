using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Reconciler.Bench;

/// <summary>
/// Zero-reload maps and certificates (issue 18), against a real master-worker HAProxy with the shipped routes map
/// and site certificate templates (configured as the shipped haproxy.conf does): a route flipped between two backends, and a certificate rotated, in runtime mode
/// (<c>runtime { type = haproxy-map }</c>, <c>haproxy-cert</c>) and in reload mode (runtime off). Per change: put →
/// the change is effective (a request with that Host answered by the new backend; a new TLS connection given the new
/// certificate). Changes are spaced so that each finds the daemon idle and HAProxy without an old worker; quiet = 0.
/// </summary>
public sealed class RuntimeFilesBenchmark(EtcdServer etcd, string workFolder, TextWriter progress)
{
    public const int RouteChanges = 40;
    public const int CertificateRotations = 12;

    private const string Host = "bench.example.com";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // between changes: a reload's old worker is gone by then, and the daemon idle (a change every so often, not a loop)
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(300);

    public async Task<RuntimeFilesResult> MeasureAsync(bool runtime)
    {
        var mode = runtime ? "runtime" : "reload";
        var folder = Path.Combine(workFolder, $"files-{mode}");
        Directory.CreateDirectory(folder);
        await etcd.DeletePrefixAsync("/routes");
        await etcd.DeletePrefixAsync("/tls");
        var certificates = Enumerable.Range(0, CertificateRotations + 1).Select(n => SiteCertificate.Create($"site-{n}")).ToList();
        await PutCertificateAsync(certificates[0]);
        var files = BenchFiles.In(folder, etcd.ClientUrl);
        WriteConfigs(files, runtime);
        await RenderAsync(files.Config, "routes", files.Map, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await RenderAsync(files.Config, "site-cert", files.Certificate, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var haproxy = HaproxyProcess.Start(files.Haproxy, files.PidFile, $"127.0.0.1:{files.HttpPort}");
        using var daemon = ReconcilerDaemon.Launch(files.Config, files.Map, files.ReloadLog);
        await daemon.WaitForReconcileAsync(0, Timeout);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var routes = new List<double>();
        for (var change = 0; change < RouteChanges; change++)
        {
            await Task.Delay(Gap);
            var backend = change % 2 == 0 ? "maintenance" : "application";
            var clock = Stopwatch.StartNew();
            var revision = await etcd.PutAsync($"/routes/{Host}", backend);
            await UntilAsync($"{Host} answered by {backend}", async () => await AnswerAsync(client, haproxy.Frontend) == backend);
            routes.Add(clock.Elapsed.TotalMilliseconds);
            await daemon.WaitForReconcileAsync(revision, Timeout);
        }

        var rotations = new List<double>();
        foreach (var certificate in certificates.Skip(1))
        {
            await Task.Delay(Gap);
            var clock = Stopwatch.StartNew();
            await PutCertificateAsync(certificate);
            await UntilAsync($"certificate {certificate.Fingerprint} served", async () => await ServedFingerprintAsync(files.TlsPort) == certificate.Fingerprint);
            rotations.Add(clock.Elapsed.TotalMilliseconds);
        }

        var result = new RuntimeFilesResult(mode, Distribution.Of(routes), Distribution.Of(rotations), daemon.Reloads);
        progress.WriteLine($"maps and certificates, {mode} mode: {result.Reloads} reloads for {RouteChanges} route changes and {CertificateRotations} rotations; route {result.RouteEffective}, certificate {result.CertificateEffective}");
        return result;
    }

    private Task PutCertificateAsync(SiteCertificate certificate) =>
        etcd.PutManyAsync([KeyValuePair.Create("/tls/site/cert", certificate.CertificatePem), KeyValuePair.Create("/tls/site/key", certificate.KeyPem)]);

    private static void WriteConfigs(BenchFiles files, bool runtime)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "shipped");
        var reload = $"echo reloaded >> {files.ReloadLog}; kill -USR2 $(cat {files.PidFile})";
        File.WriteAllText(files.Config, $$"""
            reconciler {
              backend { type = etcd, endpoints = ["{{files.EtcdUrl}}"] }
              debounce { quiet = 0ms, max = 2s }
              # each change's reload at once, as measured before the 2s default: the per-change cost, not the spacing
              commands.min-reload-interval = 0s
              templates = [
                {
                  name = routes, src = "{{Path.Combine(shipped, "hosts.map.sbn")}}", dest = "{{files.Map}}", keys = ["/routes"]
                  reload-cmd = "{{reload}}"
                  runtime { type = "{{(runtime ? "haproxy-map" : "")}}", socket = "{{files.Socket}}" }
                }
                {
                  name = site-cert, src = "{{Path.Combine(shipped, "site.pem.sbn")}}", dest = "{{files.Certificate}}", keys = ["/tls/site"]
                  mode = "0600", log-diff = false, reject-control-characters = false
                  reload-cmd = "{{reload}}"
                  runtime { type = "{{(runtime ? "haproxy-cert" : "")}}", socket = "{{files.Socket}}" }
                }
              ]
            }
            """);
        File.WriteAllText(files.Haproxy, $$"""
            global
                stats socket {{files.Socket}} mode 600 level admin
            defaults
                mode http
                timeout connect 5s
                timeout client 50s
                timeout server 50s
            frontend http-in
                bind 127.0.0.1:{{files.HttpPort}}
                bind 127.0.0.1:{{files.TlsPort}} ssl crt {{files.Certificate}}
                use_backend %[req.hdr(host),field(1,:),lower,map({{files.Map}},application)]
            backend application
                http-request return status 200 content-type text/plain string "application"
            backend maintenance
                http-request return status 200 content-type text/plain string "maintenance"

            """);
    }

    // the templates' modes, or the first reconcile would rewrite the files to set them
    private static async Task RenderAsync(string config, string template, string dest, UnixFileMode mode)
    {
        await ReconcilerRender.ToFileAsync(config, template, dest);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dest, mode);
        }
    }

    private static async Task<string?> AnswerAsync(HttpClient client, Uri frontend)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, frontend);
        request.Headers.Host = Host;
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await client.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            return null; // between workers during a reload: keep asking
        }
    }

    /// <summary>The SHA-1 fingerprint of the certificate a new TLS connection is given.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5359", Justification = "It reads which certificate HAProxy serves, and sends nothing over the connection")]
    private static async Task<string?> ServedFingerprintAsync(int port)
    {
        string? fingerprint = null;
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
            {
                fingerprint = certificate?.GetCertHashString();
                return true;
            });
            await tls.AuthenticateAsClientAsync(Host);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException)
        {
            // between workers during a reload: keep asking
        }

        return fingerprint;
    }

    private static async Task UntilAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Timeout)
            {
                throw new TimeoutException($"not within {Timeout.TotalSeconds:0} s: {what}");
            }
        }
    }

    private sealed record BenchFiles(string Folder, string EtcdUrl, int HttpPort, int TlsPort)
    {
        public string Config => Path.Combine(Folder, "reconciler.conf");

        public string Haproxy => Path.Combine(Folder, "haproxy.cfg");

        public string Map => Path.Combine(Folder, "hosts.map");

        public string Certificate => Path.Combine(Folder, "site.pem");

        public string Socket => Path.Combine(Folder, "admin.sock");

        public string PidFile => Path.Combine(Folder, "haproxy.pid");

        public string ReloadLog => Path.Combine(Folder, "reloads.log");

        public static BenchFiles In(string folder, string etcdUrl) => new(folder, etcdUrl, LoopbackPort.Free(), LoopbackPort.Free());
    }

}

public sealed record RuntimeFilesResult(string Mode, Distribution RouteEffective, Distribution CertificateEffective, int Reloads);
