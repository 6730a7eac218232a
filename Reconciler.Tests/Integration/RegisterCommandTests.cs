using System.Net;
using Reconciler.Actors.Output;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Integration;

/// <summary><c>reconciler register</c> as a systemd unit runs it, against a real etcd.</summary>
[Trait("Executable", "reconciler")]
public sealed class RegisterCommandTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly string _prefix = $"/register/{Guid.NewGuid():N}";

    [Fact]
    public async Task The_key_lives_under_a_lease_while_it_runs_and_SIGTERM_removes_it_at_once()
    {
        var key = $"{_prefix}/{Dns.GetHostName()}";
        await using var register = Register(etcd, $"{_prefix}/%n", ttl: "10s");
        await register.WaitForLineAsync(l => l.Contains($"Registered {key} = \"stupid-server-1 127.0.0.1:9001\""), "the registration");

        Assert.NotEqual(0, await etcd.LeaseOfAsync(key));

        register.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await register.WaitForExitAsync(Deadline)).ExitCode);
        Assert.Null(await etcd.LeaseOfAsync(key)); // revoked, not left to its 10 s TTL
        Assert.Contains(register.Lines, l => l.Contains($"Deregistered {key}"));
    }

    [Fact]
    public async Task After_kill_9_the_key_stays_until_the_lease_expires()
    {
        var key = $"{_prefix}/stupid-server@1.service";
        await using var register = Register(etcd, key, ttl: "2s");
        await register.WaitForLineAsync(l => l.Contains($"Registered {key}"), "the registration");

        register.Signal(LibC.SIGKILL);
        await register.WaitForExitAsync(Deadline);
        Assert.NotNull(await etcd.LeaseOfAsync(key)); // nobody revoked it

        await WaitUntilAsync("the key expiring with its lease", async () => await etcd.LeaseOfAsync(key) is null);
    }

    [Fact]
    public async Task After_an_etcd_outage_the_registration_is_re_established_and_kept_alive()
    {
        using var privateEtcd = await EtcdFixture.StartNewAsync();
        var key = $"{_prefix}/stupid-server@1.service";
        await using var register = Register(privateEtcd, key, ttl: "2s");
        await register.WaitForLineAsync(l => l.Contains($"Registered {key}"), "the registration");

        await privateEtcd.StopAsync();
        await register.WaitForLineAsync(l => l.Contains("Lost etcd"), "the lost connection");
        await privateEtcd.StartAsync();
        await register.WaitForLineAsync(l => l.Contains($"Registered {key} again"), "the registration after the outage");

        // renewed, not just surviving the restart: present through twice its TTL
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < until)
        {
            Assert.NotNull(await privateEtcd.LeaseOfAsync(key));
            await Task.Delay(200);
        }

        Assert.Single(register.Lines, l => l.Contains("Lost etcd")); // once, though it retried every 667 ms
    }

    [Fact]
    public async Task A_key_another_host_holds_is_refused_with_exit_2_and_left_as_it_is()
    {
        var key = $"{_prefix}/taken";
        await etcd.PutAsync(key, "theirs 10.0.0.9:80");

        var result = await ReconcilerProcess.RunAsync(["register", "--endpoints", etcd.ClientUrl, "--key", key, "--value", "mine 10.0.0.1:80", "--ttl", "10s"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stdout.Split('\n').Concat(result.Stderr.Split('\n')), l => l.Contains($"Not registered: {key} already exists under another lease or none", StringComparison.Ordinal));
        Assert.Equal("theirs 10.0.0.9:80", (await etcd.RangeAsync(key))[key]);
        Assert.Equal(0, await etcd.LeaseOfAsync(key));
    }

    [Fact]
    public async Task Stopping_leaves_a_key_another_host_put_over_the_registration()
    {
        var key = $"{_prefix}/overwritten";
        await using var register = RunningReconciler.Start("register", "--endpoints", etcd.ClientUrl, "--key", key, "--value", "mine 10.0.0.1:80", "--ttl", "10s");
        await register.WaitForLineAsync(l => l.Contains($"Registered {key}"), "the registration");
        await etcd.PutAsync(key, "theirs 10.0.0.9:80");

        register.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await register.WaitForExitAsync(Deadline)).ExitCode);

        Assert.Equal("theirs 10.0.0.9:80", (await etcd.RangeAsync(key))[key]);
    }

    [Theory]
    [InlineData("--ttl", "soon", "--ttl: \"soon\" is not a duration")]
    [InlineData("--ttl", "0", "--ttl: must be at least 1s")]
    [InlineData("--key", "/apps/%i", "--key: \"/apps/%i\": unknown specifier %i")]
    [InlineData("--endpoints", "127.0.0.1:2379", "--endpoints: \"127.0.0.1:2379\" is not an http:// or https:// URL")]
    [InlineData("--config", "reconciler.conf", "register does not read --config")]
    [InlineData("--ca-file", "/nonexistent/ca.pem", "file /nonexistent/ca.pem does not exist")]
    [InlineData("--value", "x 10.0.0.5:80\n    server tail 127.0.0.1:2", "--value has a control character (a newline, say)")]
    [InlineData("--value", "x 10.0.0.5:80 backup", "--value is not \"<name> <host>:<port>\"")]
    [InlineData("--value", "x 10.0.0.5:99999", "--value has no port from 1 to 65535 after the host: the shipped template would skip it")]
    [InlineData("--value", "x 169.254.169.254:80", "--value has a host that is link-local (169.254.0.0/16, fe80::/10, where cloud metadata answers); allow it with --allowed-networks")]
    [InlineData("--value", "x 0.0.0.0:80", "--value has a host that is unspecified")]
    [InlineData("--value", "x [::]:80", "--value has a host that is unspecified")]
    [InlineData("--value", "x [::ffff:127.0.0.1]:22", "--value has a host that is loopback")]
    [InlineData("--value", "x 127.0.0.1:22", "--value has a host that is loopback (the load balancer itself); allow it with --allowed-networks")]
    [InlineData("--value", "x 0x7f000001:80", "--value has a host that is neither an IP address")]
    [InlineData("--value", "evil does-not-exist.invalid:80", "--value has a host that is a host name, refused without --allow-hostnames")]
    [InlineData("--allowed-networks", "10.0.0.0/33", "--allowed-networks: \"10.0.0.0/33\" is not an IP address or a CIDR network")]
    [InlineData("--key", "/apps/a\rb", "--key: \"/apps/a\\rb\" has a control character")]
    public async Task A_bad_option_is_one_line_on_stderr_and_exit_2(string option, string value, string expected)
    {
        var args = new Dictionary<string, string>
        {
            ["--endpoints"] = etcd.ClientUrl, ["--key"] = $"{_prefix}/%n", ["--value"] = "web-1 10.0.0.1:80", [option] = value,
        };

        var result = await ReconcilerProcess.RunAsync(["register", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"reconciler register: {expected}", Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task With_value_format_text_any_one_line_value_is_registered()
    {
        var key = $"{_prefix}/json";
        await using var register = RunningReconciler.Start(
            "register", "--endpoints", etcd.ClientUrl, "--key", key, "--value", """{"port": 80}""", "--value-format", "text", "--ttl", "10s");
        await register.WaitForLineAsync(l => l.Contains($"Registered {key}"), "the registration");

        register.Signal(LibC.SIGTERM);
        Assert.Equal(0, (await register.WaitForExitAsync(Deadline)).ExitCode);
    }

    private static RunningReconciler Register(EtcdFixture etcd, string key, string ttl) =>
        RunningReconciler.Start(
            "register", "--endpoints", etcd.ClientUrl, "--key", key, "--value", "stupid-server-1 127.0.0.1:9001", "--allowed-networks", "127.0.0.0/8", "--ttl", ttl);

    private static Task WaitUntilAsync(string what, Func<Task<bool>> condition) => Poll.UntilAsync(condition, Deadline, () => what);
}
