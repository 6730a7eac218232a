using System.Net;
using System.Net.Sockets;
using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Runtime;

/// <summary>The runtime plan against a real HAProxy 2.6 admin socket: what it accepts, what it refuses, what it reads back.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit calls IAsyncLifetime.DisposeAsync, which disposes it")]
public sealed class HaproxyRuntimeApplierTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-runtime-").FullName;
    private readonly int _port = FreePort.Next();
    private readonly List<NamedHttpServer> _instances = [];
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(5) };
    private HaproxyMasterWorker? _haproxy;

    private string Socket => Path.Combine(_folder, "admin.sock");

    private HaproxyRuntimeApplier Applier => new(new HaproxyRuntimeClient(Socket, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(5));

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "haproxy.cfg"), Config(SlotLines(null, null)));
        _haproxy = await HaproxyMasterWorker.StartAsync(
            Path.Combine(_folder, "haproxy.cfg"), Path.Combine(_folder, "haproxy.pid"), Path.Combine(_folder, "master.sock"), _port);
    }

    public async Task DisposeAsync()
    {
        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _client.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Filling_and_emptying_slots_with_cookies_moves_traffic_and_reads_back_as_the_file()
    {
        var one = Start("one");
        var two = Start("two");

        var filled = await ApplyAsync(SlotLines(null, null), SlotLines(one, two));

        Assert.True(filled.Applied, filled.Reason);
        Assert.Equal(6, filled.Commands);
        Assert.Equal(["one", "two"], (await AnswersAsync(10)).Distinct().Order());

        var emptied = await ApplyAsync(SlotLines(one, two), SlotLines(null, two));

        Assert.True(emptied.Applied, emptied.Reason);
        Assert.Equal(["two"], (await AnswersAsync(10)).Distinct());
    }

    [Fact]
    public async Task Dynamic_servers_are_added_with_checks_and_deleted_after_draining()
    {
        var three = Start("three");
        var dynamic = $"    server dyn3 127.0.0.1:{three.Port} check inter 500ms\n";

        var added = await ApplyAsync(SlotLines(null, null), SlotLines(null, null) + dynamic);

        Assert.True(added.Applied, added.Reason);
        Assert.Equal(["three"], (await AnswersAsync(4)).Distinct());

        var removed = await ApplyAsync(SlotLines(null, null) + dynamic, SlotLines(null, null));

        Assert.True(removed.Applied, removed.Reason);
        Assert.Empty(HaproxyRunningServer.ParseState(await new HaproxyRuntimeClient(Socket, TimeSpan.FromSeconds(5)).SendAsync("show servers state app", default))
            .Where(s => s.Name == "dyn3"));
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(0.3, false)]
    public async Task An_emptied_slot_drains_its_request_in_flight_or_falls_back_past_the_drain_timeout(double drainSeconds, bool applied)
    {
        using var slow = new TcpListener(IPAddress.Loopback, 0);
        slow.Start();
        var port = ((IPEndPoint)slow.LocalEndpoint).Port;
        var answering = AnswerAfterAsync(slow, TimeSpan.FromSeconds(3));
        var filled = Config(SlotLines(null, null).Replace("127.0.0.1:1 cookie s1 check disabled", $"127.0.0.1:{port} cookie s1 check"));
        Assert.True((await ApplyConfigAsync(Config(SlotLines(null, null)), filled)).Applied);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_port}/");
        var inFlight = _client.SendAsync(request);
        await Poll.UntilAsync(() => _accepted, TimeSpan.FromSeconds(10), () => "the request reaching the slow instance");

        var diff = HaproxyConfigDiff.Between(filled, Config(SlotLines(null, null)), RuntimeSettings.Off with { Type = RuntimeSettings.Haproxy });
        var applier = new HaproxyRuntimeApplier(new HaproxyRuntimeClient(Socket, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(drainSeconds));
        var result = await applier.ApplyAsync(HaproxyRuntimePlan.For(diff.Changes), diff.Pools, default);

        Assert.Equal(applied, result.Applied);
        Assert.Equal(applied ? null : "drain-timeout", result.ReasonLabel);
        Assert.True(result.Duration > TimeSpan.FromSeconds(applied ? 1 : drainSeconds), $"the drain waited only {result.Duration}"); // for the request, or the timeout
        using var response = await inFlight; // either way the request in flight is answered
        Assert.Equal("slow", await response.Content.ReadAsStringAsync());
        await answering;
    }

    [Fact]
    public async Task A_backend_with_a_static_algorithm_refuses_a_new_server_and_says_so()
    {
        var three = Start("three");
        var old = Config(SlotLines(null, null));
        var @new = old + $"    server s3 127.0.0.1:{three.Port}\n";

        var result = await ApplyConfigAsync(old, @new);

        Assert.False(result.Applied);
        Assert.Equal("refused", result.ReasonLabel);
        Assert.Equal($"HAProxy refused 'add server static/s3 127.0.0.1:{three.Port}': Backend must use a dynamic load balancing to support dynamic servers.", result.Reason);
    }

    [Fact]
    public async Task A_keyword_carrying_a_second_command_falls_back_to_a_reload_and_every_frontend_stays_open()
    {
        var three = Start("three");
        var old = Config(SlotLines(null, null));
        var @new = Config(SlotLines(null, null) + $"    server dyn3 127.0.0.1:{three.Port} check-sni \"a;disable frontend http-in \"\n");
        var newFile = Path.Combine(_folder, "new.cfg");
        await File.WriteAllTextAsync(newFile, @new);
        var check = await ExternalCommand.RunAsync("/usr/sbin/haproxy", ["-c", "-f", newFile], TimeSpan.FromSeconds(30));
        Assert.True(check.ExitCode == 0, $"haproxy -c refused it, so check-cmd would stop it first: {check.Stdout}{check.Stderr}");

        var result = await ApplyConfigAsync(old, @new);

        Assert.False(result.Applied);
        Assert.Equal("unsupported", result.ReasonLabel);
        Assert.Equal(0, result.Commands);
        var admin = new HaproxyRuntimeClient(Socket, TimeSpan.FromSeconds(5));
        var frontends = (await admin.SendAsync("show stat -1 1 -1", default)).Split('\n').Select(row => row.Split(',')).Where(fields => fields is [_, "FRONTEND", ..]);
        Assert.Equal(["http-in OPEN"], frontends.Select(fields => $"{fields[0]} {fields[17]}")); // pxname, status: "disable frontend" makes it PAUSED
        Assert.DoesNotContain(HaproxyRunningServer.ParseState(await admin.SendAsync("show servers state app", default)), server => server.Name == "dyn3");
    }

    [Fact]
    public async Task A_socket_below_admin_level_is_refused()
    {
        var applier = new HaproxyRuntimeApplier(new HaproxyRuntimeClient(Path.Combine(_folder, "operator.sock"), TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(1));
        var diff = HaproxyConfigDiff.Between(Config(SlotLines(null, null)), Config(SlotLines(Start("one"), null)), RuntimeSettings.Off with { Type = RuntimeSettings.Haproxy });

        var result = await applier.ApplyAsync(HaproxyRuntimePlan.For(diff.Changes), diff.Pools, default);

        Assert.False(result.Applied);
        Assert.Equal("refused", result.ReasonLabel);
        Assert.Contains("Permission denied", result.Reason);
    }

    [Fact]
    public async Task A_missing_socket_falls_back_with_the_socket_named()
    {
        var applier = new HaproxyRuntimeApplier(new HaproxyRuntimeClient(Path.Combine(_folder, "nothing.sock"), TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(1));
        var diff = HaproxyConfigDiff.Between(Config(SlotLines(null, null)), Config(SlotLines(Start("one"), null)), RuntimeSettings.Off with { Type = RuntimeSettings.Haproxy });

        var result = await applier.ApplyAsync(HaproxyRuntimePlan.For(diff.Changes), diff.Pools, default);

        Assert.False(result.Applied);
        Assert.Equal("socket", result.ReasonLabel);
        Assert.StartsWith($"socket {Path.Combine(_folder, "nothing.sock")} unavailable", result.Reason);
    }

    private volatile bool _accepted;

    // health checks connect and close; the first connection that carries a request is answered "slow" after the delay
    private async Task AnswerAfterAsync(TcpListener listener, TimeSpan delay)
    {
        var buffer = new byte[4096];
        Socket connection;
        while (true)
        {
            connection = await listener.AcceptSocketAsync();
            if (await connection.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
                break;
            }

            connection.Dispose();
        }

        using var request = connection;
        _accepted = true;
        await Task.Delay(delay);
        await request.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nslow"u8.ToArray(), SocketFlags.None);
        request.Shutdown(SocketShutdown.Both);
    }

    private NamedHttpServer Start(string name)
    {
        var instance = NamedHttpServer.Start(name);
        _instances.Add(instance);
        return instance;
    }

    private Task<RuntimeApplyResult> ApplyAsync(string oldServers, string newServers) => ApplyConfigAsync(Config(oldServers), Config(newServers));

    private async Task<RuntimeApplyResult> ApplyConfigAsync(string old, string @new)
    {
        var diff = HaproxyConfigDiff.Between(old, @new, RuntimeSettings.Off with { Type = RuntimeSettings.Haproxy });
        Assert.Null(diff.ReloadReason);
        return await Applier.ApplyAsync(HaproxyRuntimePlan.For(diff.Changes), diff.Pools, default);
    }

    private async Task<List<string>> AnswersAsync(int requests)
    {
        var answers = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_port}/");
            request.Headers.ConnectionClose = true;
            answers.Add(await (await _client.SendAsync(request)).Content.ReadAsStringAsync());
        }

        return answers;
    }

    private static string SlotLines(NamedHttpServer? first, NamedHttpServer? second) =>
        Slot(1, first) + Slot(2, second);

    private static string Slot(int number, NamedHttpServer? instance) => instance is null
        ? $"    server slot{number} 127.0.0.1:1 cookie s{number} check disabled\n"
        : $"    server slot{number} 127.0.0.1:{instance.Port} cookie s{number} check\n";

    // the app backend's servers come first, the static backend's at the end, where a test appends one
    private string Config(string appServers) => $"""
        global
            stats socket {Socket} mode 600 level admin
            stats socket {Path.Combine(_folder, "operator.sock")} mode 600 level operator
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            option http-server-close
        frontend http-in
            bind 127.0.0.1:{_port}
            default_backend app
        backend app
            balance roundrobin
            cookie JSESSIONID prefix
        {appServers}
        backend static
            balance source

        """;
}
