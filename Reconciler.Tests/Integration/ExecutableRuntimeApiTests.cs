using System.Net;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary>
/// The shipped haproxy.conf with its optional files uncommented, edited only where a deployment differs (endpoint,
/// paths, ports, reload command), run by the executable against a real etcd and a real master-worker HAProxy: a
/// registration, a route and a certificate rotation each reach HAProxy through the admin socket with no reload.
/// scripts/test.sh runs it against the package's native executable too, so the runtime API client, the map and
/// certificate paths (and OpenSSL under the native build) are covered there, not only in-process (Scenario/).
/// </summary>
[Trait("Executable", "reconciler")]
[UnsupportedOSPlatform("windows")]
public sealed partial class ExecutableRuntimeApiTests : IAsyncLifetime
{
    private const string Routed = "shop.example.com";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-runtime-exe-").FullName;
    private readonly int _httpPort = FreePort.Next();
    private readonly int _tlsPort = FreePort.Next();
    private EtcdFixture? _etcd;
    private HaproxyMasterWorker? _haproxy;
    private RunningReconciler? _daemon;
    private NamedHttpServer? _instance;

    private EtcdFixture Etcd => _etcd!;

    private HaproxyMasterWorker Haproxy => _haproxy!;

    private RunningReconciler Daemon => _daemon!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }

        _etcd?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_registration_a_route_and_a_certificate_rotation_reach_haproxy_through_its_admin_socket_with_no_reload()
    {
        _etcd = await EtcdFixture.StartNewAsync();
        var first = SiteCertificate.Create("site-1");
        await PutCertificateAsync(first);
        var config = WriteShippedConfiguration();

        // the files as a previous run left them (an empty pool, the first certificate): HAProxy starts on them
        foreach (var (template, file) in new[] { ("haproxy", "haproxy.cfg"), ("routes", "hosts.map"), ("deny", "deny.acl"), ("site-cert", "site.pem") })
        {
            var render = await ReconcilerProcess.RunAsync("render", template, "--config", config);
            Assert.True(render.ExitCode == 0, $"render {template}: {render.Stderr}");
            await File.WriteAllTextAsync(Path.Combine(_folder, file), render.Stdout);
        }

        _haproxy = await HaproxyMasterWorker.StartAsync(Path.Combine(_folder, "haproxy.cfg"), Path.Combine(_folder, "haproxy.pid"), Path.Combine(_folder, "master.sock"), _httpPort);
        _daemon = RunningReconciler.Start("--config", config);
        await Daemon.WaitForLineAsync(l => l.Contains("Reconciled site-cert ", StringComparison.Ordinal), "the first reconcile");

        _instance = NamedHttpServer.Start("stupid-server-1");
        await Etcd.PutAsync("/apps/stupid_server/stupid-server@1.service", _instance.Registration);
        await WaitUntilAsync($"{Routed} answered by {_instance.Name}", async () => await GetAsync(Routed) == (HttpStatusCode.OK, _instance.Name));

        await Etcd.PutAsync($"/routes/{Routed}", "maintenance");
        await WaitUntilAsync($"{Routed} down for maintenance", async () => await GetAsync(Routed) == (HttpStatusCode.ServiceUnavailable, "down for maintenance"));

        var rotated = SiteCertificate.Create("site-2");
        await PutCertificateAsync(rotated);
        await WaitUntilAsync("the rotated certificate served", async () => await ServedFingerprintAsync() == rotated.Fingerprint);

        Assert.Equal(0, (await Haproxy.ShowProcAsync()).Reloads);
        foreach (var template in new[] { "haproxy", "routes", "site-cert" })
        {
            Assert.Contains(Daemon.Lines, l => l.Contains($"Reconciled {template} ", StringComparison.Ordinal) && l.Contains("reload=runtime (", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(Daemon.Lines, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal) || l.Contains(rotated.KeyPem.Split('\n')[1], StringComparison.Ordinal));
    }

    /// <summary>config/hocon/haproxy.conf as an operator deploys it: optional files uncommented, paths, ports and the endpoint set.</summary>
    private string WriteShippedConfiguration()
    {
        var templates = Path.Combine(AppContext.BaseDirectory, "config", "templates");
        var socket = Path.Combine(_folder, "admin.sock");
        var hocon = CommentedBlockLine().Replace(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", "hocon", "haproxy.conf")), "$1$2")
            .Replace("\"../templates/", $"\"{templates}/", StringComparison.Ordinal)
            .Replace("http://127.0.0.1:2379", Etcd.ClientUrl, StringComparison.Ordinal)
            .Replace("/var/lib/reconciler", Path.Combine(_folder, "state"), StringComparison.Ordinal)
            .Replace("/run/haproxy-admin.sock", socket, StringComparison.Ordinal)
            .Replace("allowed-networks = []", "allowed-networks = [\"127.0.0.0/8\"]", StringComparison.Ordinal) // the instances listen on loopback
            .Replace("systemctl reload haproxy", $"kill -USR2 $(cat {Path.Combine(_folder, "haproxy.pid")})", StringComparison.Ordinal)
            .Replace("/etc/haproxy/", _folder + "/", StringComparison.Ordinal);
        hocon = Variable("stats_bind").Replace(hocon, $"$1\"127.0.0.1:{FreePort.Next()}\"");
        hocon = Variable("http_bind").Replace(hocon, $"$1\"127.0.0.1:{_httpPort}\"");
        hocon = Variable("tls_bind").Replace(hocon, $"$1\"127.0.0.1:{_tlsPort}\"");
        foreach (var (name, file) in new[] { ("routes_map", "hosts.map"), ("deny_acl", "deny.acl"), ("tls_cert", "site.pem") })
        {
            hocon = Variable(name).Replace(hocon, $"$1\"{Path.Combine(_folder, file)}\"");
        }

        // changes apply at once here, where the shipped debounce would only slow the test
        hocon = hocon.Replace("debounce { quiet = 200ms, max = 2s }", "debounce { quiet = 0ms, max = 1s }", StringComparison.Ordinal);
        var config = Path.Combine(_folder, "reconciler.conf");
        File.WriteAllText(config, hocon);
        return config;
    }

    private static Regex Variable(string name) => new($@"^(\s*{name} = )""[^""]*""", RegexOptions.Multiline);

    // both keys in one revision, as an operator's `etcdctl txn` writes them
    private Task<long> PutCertificateAsync(SiteCertificate certificate) =>
        Etcd.PutManyAsync([KeyValuePair.Create("/tls/site/cert", certificate.CertificatePem), KeyValuePair.Create("/tls/site/key", certificate.KeyPem)]);

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{_httpPort}/"));
        request.Headers.Host = host;
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await Http.SendAsync(request);
            return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
        }
        catch (HttpRequestException)
        {
            return ((HttpStatusCode)0, "");
        }
    }

    /// <summary>The SHA-1 fingerprint of the certificate HAProxy serves a new TLS connection, as <c>openssl s_client</c> receives it.</summary>
    private async Task<string?> ServedFingerprintAsync()
    {
        var client = await ExternalCommand.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{_tlsPort}", "-servername", Routed], TimeSpan.FromSeconds(10));
        return SiteCertificate.FingerprintIn(client.Stdout);
    }

    private Task WaitUntilAsync(string what, Func<Task<bool>> condition) =>
        Poll.UntilAsync(condition, Deadline, () => $"{what}{Environment.NewLine}--- reconciler:{Environment.NewLine}{Daemon.Output}{Environment.NewLine}--- haproxy:{Environment.NewLine}{Haproxy.Output}");

    // "    # {", "    # }" and "    #   setting = ..." are the optional templates; "    # words" stay comments
    [GeneratedRegex(@"^(    )# (\{|\}|  .*)$", RegexOptions.Multiline)]
    private static partial Regex CommentedBlockLine();
}
