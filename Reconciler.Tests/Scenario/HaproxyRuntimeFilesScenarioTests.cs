using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Journal;
using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;
using Xunit.Abstractions;

namespace Reconciler.Tests.Scenario;

/// <summary>
/// The shipped optional files (routes map, deny ACL, site certificate) against a real master-worker HAProxy: their
/// changes from etcd reach it through the admin socket with no reload, what the socket cannot do reloads once with
/// the reason, and a reload afterwards finds HAProxy running exactly the files.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class HaproxyRuntimeFilesScenarioTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const string Routed = "shop.example.com";

    private readonly ITestOutputHelper _output;
    private HaproxyScenario? _scenario;

    public HaproxyRuntimeFilesScenarioTests(ITestOutputHelper output)
        : base(output: output)
    {
        _output = output;
    }

    private HaproxyScenario Scenario => _scenario!;

    private string RoutesMap => Path.Combine(Scenario.Folder, "hosts.map");

    private string DenyAcl => Path.Combine(Scenario.Folder, "deny.acl");

    private string SiteCertificateFile => Path.Combine(Scenario.Folder, "site.pem");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_scenario is not null)
        {
            await _scenario.DisposeAsync();
        }
    }

    [Fact]
    public async Task Routes_in_the_map_change_which_backend_answers_with_no_reload_and_a_reload_changes_nothing()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys, optionalFiles: true);
        var worker = (await Scenario.Haproxy.ShowProcAsync()).Workers.Single();
        var instance = Scenario.StartInstance(1);
        await Scenario.RegisterAsync(instance);
        await ExpectAnswerAsync(Routed, HttpStatusCode.OK, instance.Name);

        var put = Stopwatch.StartNew();
        await Scenario.Etcd.PutAsync($"/routes/{Routed}", "maintenance");
        await ExpectAnswerAsync(Routed, HttpStatusCode.ServiceUnavailable, "down for maintenance");
        _output.WriteLine($"put → route effective: {put.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, (await Scenario.GetAsync("other.example.com")).Status);

        await Scenario.Etcd.PutAsync($"/routes/{Routed}", "application-backend");
        await ExpectAnswerAsync(Routed, HttpStatusCode.OK, instance.Name);
        await Scenario.Etcd.PutAsync($"/routes/{Routed}", "maintenance");
        await ExpectAnswerAsync(Routed, HttpStatusCode.ServiceUnavailable, "down for maintenance");
        await Scenario.Etcd.DeleteAsync($"/routes/{Routed}");
        await ExpectAnswerAsync(Routed, HttpStatusCode.OK, instance.Name);
        await Scenario.Etcd.PutAsync($"/routes/{Routed}", "maintenance");
        await ExpectAnswerAsync(Routed, HttpStatusCode.ServiceUnavailable, "down for maintenance");

        var processes = await Scenario.Haproxy.ShowProcAsync();
        Assert.Equal((0, worker), (processes.Reloads, processes.Workers.Single()));
        Assert.Equal($"{Routed} maintenance", File.ReadAllLines(RoutesMap).Single(line => !line.StartsWith('#')));
        // prepare, one batch, commit; the delete empties the map: prepare, commit
        Assert.Equal(
            ["runtime (3 commands)", "runtime (3 commands)", "runtime (3 commands)", "runtime (2 commands)", "runtime (3 commands)"],
            Scenario.Journal().Where(e => e.Template == "routes" && e.File == "written").Select(e => e.Applied));

        await Scenario.Haproxy.ReloadAsync();
        await Scenario.ExpectReloadsAsync(1);
        Assert.Null(await new HaproxyPatternsApi(isMap: true, RoutesMap, Client()).CompareAsync(File.ReadAllText(RoutesMap), default));
        await ExpectAnswerAsync(Routed, HttpStatusCode.ServiceUnavailable, "down for maintenance");
        Assert.DoesNotContain(Scenario.Pipeline.Logs.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_10000_entry_map_replaced_under_load_costs_no_reload_and_no_failed_request()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys, optionalFiles: true);
        var instance = Scenario.StartInstance(1);
        await Scenario.RegisterAsync(instance);
        await ExpectAnswerAsync(Routed, HttpStatusCode.OK, instance.Name);
        await Scenario.Etcd.PutManyAsync(Routes(10000, "application-backend"));
        await ExpectRunningMapAsync(10000, "application-backend");

        var load = LoadGenerator.Start(Scenario.Frontend, maxRequests: 20000, maxDuration: TimeSpan.FromSeconds(60), pace: TimeSpan.FromMilliseconds(10));
        var put = Stopwatch.StartNew();
        await Scenario.Etcd.PutManyAsync(Routes(10000, "maintenance"));
        await ExpectRunningMapAsync(10000, "maintenance");
        _output.WriteLine($"10,000 routes replaced: put → running map {put.ElapsedMilliseconds} ms");
        await ExpectAnswerAsync("host-09999.example.com", HttpStatusCode.ServiceUnavailable, "down for maintenance");
        var report = await load.StopAsync();

        _output.WriteLine($"load through the replacement: {report}");
        Assert.True(report.Failures.Count == 0, $"{report}{Environment.NewLine}{Scenario.Diagnostics()}");
        Assert.True(report.Succeeded >= 50, $"too little load to prove anything: {report}");
        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads);
        var applies = RuntimeApplies("routes").ToList();
        _output.WriteLine(string.Join(Environment.NewLine, applies.Select(l => l.Message)));
        Assert.NotEmpty(applies);
        Assert.All(applies, l => Assert.Contains("reload=runtime (", l.Message));
    }

    [Fact]
    public async Task A_client_on_the_deny_list_is_blocked_and_unblocked_with_no_reload()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys, optionalFiles: true);
        var instance = Scenario.StartInstance(1);
        await Scenario.RegisterAsync(instance);
        await ExpectAnswerAsync(Routed, HttpStatusCode.OK, instance.Name);

        await Scenario.Etcd.PutAsync("/denied/this-test", "127.0.0.1");
        await ExpectStatusAsync(HttpStatusCode.Forbidden);
        await Scenario.Etcd.DeleteAsync("/denied/this-test");
        await ExpectAnswerAsync(Routed, HttpStatusCode.OK, instance.Name);
        await Scenario.Etcd.PutAsync("/denied/typo", "localhost"); // src -f would refuse the whole file for it
        await Scenario.Etcd.PutAsync("/denied/this-network", "127.0.0.0/8");
        await ExpectStatusAsync(HttpStatusCode.Forbidden);

        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads);
        await Scenario.Haproxy.ReloadAsync();
        await Scenario.ExpectReloadsAsync(1);
        await ExpectStatusAsync(HttpStatusCode.Forbidden);
        Assert.Null(await new HaproxyPatternsApi(isMap: false, DenyAcl, Client()).CompareAsync(File.ReadAllText(DenyAcl), default));
        Assert.DoesNotContain("localhost", await File.ReadAllTextAsync(DenyAcl), StringComparison.Ordinal);
        Assert.Equal(
            ["deny skips key /denied/typo: its value is not an IP address or a CIDR network; the other keys render"],
            Scenario.Pipeline.Logs.Lines.Where(l => l.Level >= LogLevel.Warning).Select(l => l.Message));
    }

    [Fact]
    public async Task A_certificate_rotated_in_etcd_is_served_to_new_connections_with_no_reload_and_never_logged()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys, optionalFiles: true);
        Assert.Equal(Scenario.FirstCertificate!.Fingerprint, await ServedFingerprintAsync());
        var rotated = SiteCertificate.Create("site-2");

        var put = Stopwatch.StartNew();
        await PutCertificateAsync(rotated.CertificatePem, rotated.KeyPem);
        await Scenario.WaitUntilAsync("the rotated certificate served", async () => await ServedFingerprintAsync() == rotated.Fingerprint);
        _output.WriteLine($"put → certificate served: {put.ElapsedMilliseconds} ms");

        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SiteCertificateFile));
        await Scenario.Haproxy.ReloadAsync();
        await Scenario.ExpectReloadsAsync(1);
        Assert.Equal(rotated.Fingerprint, await ServedFingerprintAsync());
        Assert.DoesNotContain(Scenario.Pipeline.Logs.Lines, l => l.Level >= LogLevel.Warning);
        Assert.DoesNotContain(Scenario.Pipeline.Logs.Lines, l => l.Message.Contains("PRIVATE KEY", StringComparison.Ordinal) || l.Message.Contains(rotated.KeyPem.Split('\n')[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_that_does_not_match_its_certificate_never_replaces_the_file_and_the_matching_pair_then_goes_through()
    {
        _scenario = await HaproxyScenario.StartAsync(Sys, optionalFiles: true);
        var before = await File.ReadAllTextAsync(SiteCertificateFile);
        var other = SiteCertificate.Create("site-2");

        // a rotation written key after certificate passes through a certificate with the old key
        await Scenario.Etcd.PutAsync("/tls/site/cert", other.CertificatePem);

        await Scenario.WaitUntilAsync("the mismatched pair refused", () => Task.FromResult(RuntimeApplies("site-cert").Any(l => l.Level == LogLevel.Error)));
        Assert.Contains(RuntimeApplies("site-cert"), l => l.Message.Contains("check=failed: the private key in the certificate file is not the certificate's"));
        Assert.Equal(before, await File.ReadAllTextAsync(SiteCertificateFile));
        Assert.Equal(Scenario.FirstCertificate!.Fingerprint, await ServedFingerprintAsync());

        await Scenario.Etcd.PutAsync("/tls/site/key", other.KeyPem);
        await Scenario.WaitUntilAsync("the matching pair served", async () => await ServedFingerprintAsync() == other.Fingerprint);
        Assert.Equal(0, (await Scenario.Haproxy.ShowProcAsync()).Reloads);
        Assert.DoesNotContain(Scenario.Pipeline.Logs.Lines, l => l.Message.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_socket_a_route_reloads_once_with_the_reason_and_haproxy_then_runs_the_map()
    {
        using var sockets = new TempFolder(); // a folder only root writes to: a socket in /tmp is refused before it is tried
        var missing = sockets["no-such.sock"];
        _scenario = await HaproxyScenario.StartAsync(Sys, runtimeSocket: missing, optionalFiles: true);

        await Scenario.Etcd.PutAsync($"/routes/{Routed}", "maintenance");

        await Scenario.ExpectReloadsAsync(1);
        await ExpectAnswerAsync(Routed, HttpStatusCode.ServiceUnavailable, "down for maintenance");
        Assert.Contains(Scenario.Pipeline.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains($"Runtime change of routes falls back to a reload: socket {missing} unavailable"));
        var recorded = Assert.Single(Scenario.Journal(), e => e.Template == "routes" && e.File == "written");
        Assert.Equal(("reload", $"runtime fallback (socket): socket {missing} unavailable"), (recorded.Applied, recorded.Why?[..recorded.Why.IndexOf(':', recorded.Why.IndexOf(':') + 1)]));
        Assert.Equal([$"/routes/{Routed}"], recorded.Added.AsEnumerable());
        Assert.Null(await new HaproxyPatternsApi(isMap: true, RoutesMap, Client()).CompareAsync(File.ReadAllText(RoutesMap), default));
    }

    [Fact]
    public async Task On_an_operator_level_socket_maps_change_at_runtime_and_a_certificate_reloads_once_with_the_reason()
    {
        using var sockets = new TempFolder(); // a folder only root writes to: a socket in /tmp is refused before it is tried
        var operatorSocket = sockets["operator.sock"];
        _scenario = await HaproxyScenario.StartAsync(Sys, runtimeSocket: operatorSocket, optionalFiles: true, editTemplate: shipped => WithOperatorSocket(shipped, operatorSocket));
        var rotated = SiteCertificate.Create("site-2");

        await Scenario.Etcd.PutAsync($"/routes/{Routed}", "maintenance");
        await ExpectAnswerAsync(Routed, HttpStatusCode.ServiceUnavailable, "down for maintenance");
        Assert.True((await Scenario.Haproxy.ShowProcAsync()).Reloads == 0, Scenario.Diagnostics());
        await PutCertificateAsync(rotated.CertificatePem, rotated.KeyPem);

        await Scenario.ExpectReloadsAsync(1);
        await Scenario.WaitUntilAsync("the rotated certificate served", async () => await ServedFingerprintAsync() == rotated.Fingerprint);
        Assert.Contains(
            Scenario.Pipeline.Logs.Lines,
            l => l.Level == LogLevel.Warning && l.Message.Contains($"Runtime change of site-cert falls back to a reload: HAProxy refused 'set ssl cert {SiteCertificateFile}': Permission denied"));
        File.Delete(operatorSocket);
    }

    // the shipped admin socket, and an operator-level one next to it for the reconciler
    private static string WithOperatorSocket(string shipped, string socket) =>
        shipped.Replace(
            "    stats socket {{ stats_socket }} mode 600 level admin\n",
            $"    stats socket {{{{ stats_socket }}}} mode 600 level admin\n    stats socket {socket} mode 600 level operator\n",
            StringComparison.Ordinal);

    private static IEnumerable<KeyValuePair<string, string>> Routes(int count, string backend) =>
        Enumerable.Range(0, count).Select(i => KeyValuePair.Create($"/routes/host-{i:00000}.example.com", backend));

    // both keys in one revision, as an operator's `etcdctl txn` (or a cert-manager hook) writes them
    private Task<long> PutCertificateAsync(string certificatePem, string keyPem) =>
        Scenario.Etcd.PutManyAsync([KeyValuePair.Create("/tls/site/cert", certificatePem), KeyValuePair.Create("/tls/site/key", keyPem)]);

    private HaproxyRuntimeClient Client() => new(Scenario.AdminSocket, TimeSpan.FromSeconds(5));

    private IEnumerable<CapturedLog> RuntimeApplies(string template) =>
        Scenario.Pipeline.Logs.Lines.Where(l => l.Message.StartsWith($"Reconciled {template} ", StringComparison.Ordinal) && !l.Message.Contains("changes=+0 ~0 -0", StringComparison.Ordinal) && !l.Message.Contains("changes=none", StringComparison.Ordinal));

    private Task ExpectAnswerAsync(string host, HttpStatusCode status, string body) =>
        Scenario.WaitUntilAsync($"{host} answered {(int)status} {body}", async () => await Scenario.GetAsync(host) == (status, body));

    private Task ExpectStatusAsync(HttpStatusCode status) =>
        Scenario.WaitUntilAsync($"HAProxy answers {(int)status}", async () => (await Scenario.GetAsync(Routed)).Status == status);

    private Task ExpectRunningMapAsync(int entries, string backend) =>
        Scenario.WaitUntilAsync($"HAProxy runs a map of {entries} entries to {backend}", async () =>
        {
            var shown = (await Client().SendAsync($"show map {RoutesMap}", default)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return shown.Length == entries && shown.All(line => line.EndsWith($" {backend}", StringComparison.Ordinal));
        });

    /// <summary>The SHA-1 fingerprint of the certificate HAProxy serves a new TLS connection, as <c>openssl s_client</c> receives it.</summary>
    private async Task<string?> ServedFingerprintAsync()
    {
        var client = await ExternalCommand.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{Scenario.TlsPort}", "-servername", Routed], TimeSpan.FromSeconds(10));
        return SiteCertificate.FingerprintIn(client.Stdout);
    }
}
