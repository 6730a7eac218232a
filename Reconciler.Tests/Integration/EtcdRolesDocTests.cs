using Reconciler.Actors.Backends;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;

namespace Reconciler.Tests.Integration;

/// <summary>
/// The etcd role commands of docs/security.md, run as written against a real etcd, then each user tried: what the
/// document says it may write it can, and nothing else.
/// </summary>
[Trait("Executable", "reconciler")]
public sealed class EtcdRolesDocTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] Users = ["root", "reconciler", "web-1", "app-hosts", "alice"];
    private readonly TempFolder _folder = new();
    private EtcdFixture _etcd = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdFixture.StartNewAsync();
        foreach (var user in Users)
        {
            File.WriteAllText(_folder[$"{user}.password"], $"{user}-s3cret\n");
        }

        var run = await ExternalCommand.RunAsync(
            "/bin/sh", ["-e", "-c", DocumentedCommands()], TimeSpan.FromSeconds(120),
            new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")!, ["ETCDCTL_API"] = "3", ["ETCDCTL_ENDPOINTS"] = _etcd.ClientUrl },
            _folder.Path);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task A_registrant_with_its_own_key_registers_it_and_nothing_else()
    {
        await AllowedAsync("web-1", "put", "/apps/stupid_server/web-1", "web-1 10.0.0.1:80");
        await DeniedAsync("web-1", "put", "/apps/stupid_server/web-2", "web-2 10.0.0.2:80");
        await DeniedAsync("web-1", "put", "/denied/all4", "0.0.0.0/0");
        await DeniedAsync("web-1", "put", "/routes/site.example", "maintenance");
        await DeniedAsync("web-1", "get", "/tls/site");
        await AllowedAsync("root", "del", "/apps/stupid_server/web-1");

        // reconciler register itself: its transaction (compare, then put) and its lease work under the role
        var password = _folder["web-1.password"];
        await using (var register = RunningReconciler.Start(
            "register", "--endpoints", _etcd.ClientUrl, "--username", "web-1", "--password-file", password,
            "--key", "/apps/stupid_server/web-1", "--value", "web-1 10.0.0.1:80", "--ttl", "10s"))
        {
            await register.WaitForLineAsync(l => l.Contains("Registered /apps/stupid_server/web-1", StringComparison.Ordinal), "the registration");
            register.Signal(LibC.SIGTERM);
            Assert.Equal(0, (await register.WaitForExitAsync(TimeSpan.FromSeconds(15))).ExitCode);
        }

        var other = await ReconcilerProcess.RunAsync(
            "register", "--endpoints", _etcd.ClientUrl, "--username", "web-1", "--password-file", password,
            "--key", "/apps/stupid_server/web-2", "--value", "web-2 10.0.0.2:80", "--ttl", "10s");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("permission denied", other.Stdout + other.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registrants_with_the_pool_prefix_write_the_pool_and_not_the_deny_list_routes_or_certificate()
    {
        await AllowedAsync("app-hosts", "put", "/apps/stupid_server/web-7", "web-7 10.0.0.7:80");
        await DeniedAsync("app-hosts", "put", "/denied/all4", "0.0.0.0/0");
        await DeniedAsync("app-hosts", "put", "/routes/site.example", "maintenance");
        await DeniedAsync("app-hosts", "put", "/tls/site", "pem");
        await DeniedAsync("app-hosts", "put", "/apps/other/x", "x 10.0.0.8:80");
    }

    [Fact]
    public async Task The_daemon_reads_its_prefixes_and_writes_nothing_and_an_operator_writes_them()
    {
        await AllowedAsync("alice", "put", "/denied/office", "192.0.2.0/24");
        await AllowedAsync("alice", "put", "/routes/site.example", "maintenance");
        await AllowedAsync("alice", "put", "/tls/site", "pem");
        await AllowedAsync("alice", "put", "/apps/stupid_server/web-1", "web-1 10.0.0.1:80");

        await using var daemon = new EtcdKeyValueSource(new EtcdConnectionOptions([_etcd.ClientUrl]) { Username = "reconciler", Password = "reconciler-s3cret" });
        var read = await daemon.ReadAsync([new KeyPrefix("/apps/stupid_server"), new KeyPrefix("/routes"), new KeyPrefix("/denied"), new KeyPrefix("/tls/site")], default);

        Assert.Equal(["/apps/stupid_server/web-1", "/denied/office", "/routes/site.example", "/tls/site"], read.Keys.Keys.Order(StringComparer.Ordinal));
        await DeniedAsync("reconciler", "put", "/denied/all4", "0.0.0.0/0");
        await DeniedAsync("reconciler", "put", "/apps/stupid_server/web-1", "x 10.0.0.9:80");
    }

    [Fact]
    public async Task The_daemon_with_the_fleet_writer_role_publishes_its_records_and_writes_nowhere_else()
    {
        await AllowedAsync("reconciler", "put", "/reconciler/fleet/lb-9/t", "{}");
        await DeniedAsync("reconciler", "put", "/reconciler/fleetx", "{}");
        await DeniedAsync("reconciler", "put", "/apps/stupid_server/lb-9", "x 10.0.0.9:80");
        await DeniedAsync("app-hosts", "put", "/reconciler/fleet/lb-9/t", "{}");

        File.WriteAllText(_folder["t.sbn"], "{{ for v in getvs \"/apps/stupid_server/*\" }}{{ v }};{{ end }}");
        File.WriteAllText(_folder["fleet.conf"], $$"""
            reconciler.backend { endpoints = ["{{_etcd.ClientUrl}}"], username = reconciler, password-file = reconciler.password }
            reconciler.fleet { enabled = true, node = lb-1, ttl = 10s }
            reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/apps/stupid_server"] }]
            """);
        await using var daemon = RunningReconciler.Start("--config", _folder["fleet.conf"]);
        await daemon.WaitForLineAsync(l => l.Contains("Publishing what this node applied at /reconciler/fleet/lb-1/", StringComparison.Ordinal), "the fleet records published");
        Assert.NotNull(await LeaseOfAsync("/reconciler/fleet/lb-1/t"));

        daemon.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15))).ExitCode);
        Assert.Null(await LeaseOfAsync("/reconciler/fleet/lb-1/t")); // revoked under the role: deleting its own keys
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("permission denied", StringComparison.Ordinal));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _etcd.Dispose();
        _folder.Dispose();
    }

    /// <summary>The shell block of docs/security.md that follows the comment naming this test.</summary>
    private static string DocumentedCommands()
    {
        var document = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "security.md"));
        var marker = document.IndexOf("EtcdRolesDocTests.cs", StringComparison.Ordinal);
        var start = document.IndexOf("```sh\n", marker, StringComparison.Ordinal) + "```sh\n".Length;
        return document[start..document.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private async Task<ProcessResult> EtcdctlAsync(string user, string[] arguments) =>
        await ExternalCommand.RunAsync(
            "etcdctl", ["--endpoints", _etcd.ClientUrl, "--user", $"{user}:{user}-s3cret", .. arguments], TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")!, ["ETCDCTL_API"] = "3" });

    /// <summary>The key's lease as root reads it; null when there is no such key.</summary>
    private async Task<string?> LeaseOfAsync(string key)
    {
        var run = await EtcdctlAsync("root", ["get", key, "--write-out", "fields"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return run.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("\"Lease\"", StringComparison.Ordinal));
    }

    private async Task AllowedAsync(string user, params string[] arguments)
    {
        var run = await EtcdctlAsync(user, arguments);
        Assert.True(run.ExitCode == 0, $"{user} {string.Join(' ', arguments)}: {run.Stderr}");
    }

    private async Task DeniedAsync(string user, params string[] arguments)
    {
        var run = await EtcdctlAsync(user, arguments);
        Assert.True(run.ExitCode != 0 && run.Stderr.Contains("permission denied", StringComparison.Ordinal), $"{user} {string.Join(' ', arguments)} was allowed: {run.Stdout}");
    }
}
