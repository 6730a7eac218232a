using Reconciler.Actors.Runtime;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Runtime;

/// <summary>
/// The map and ACL runtime API against a real HAProxy 2.6: what HAProxy loads from a file is what the reconciler
/// reads from it (comments, blank lines, duplicates, spacing), a transaction gives HAProxy the new file's entries in
/// order, and a reload afterwards finds the same.
/// </summary>
public sealed class HaproxyPatternsApiTests : IAsyncLifetime
{
    // what operators' files hold: comments, a '#' that is not at the first column (a map key, for HAProxy), blank
    // lines, tabs, duplicates
    private const string TrickyMap = "# routes\n   a.example   be1   \t\na.example be2\n\tb.example\tbe 3 with  spaces \n #c.example be4\n\nd.example be;5\r\n";
    private const string TrickyAcl = "# denied\n  10.0.0.2\n10.0.0.0/8\n\n\t10.0.0.2\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-patterns-").FullName;
    private readonly int _port = FreePort.Next();
    private HaproxyMasterWorker? _haproxy;

    private string Map => Path.Combine(_folder, "hosts.map");

    private string Acl => Path.Combine(_folder, "deny.acl");

    private HaproxyRuntimeClient Client => new(Path.Combine(_folder, "admin.sock"), TimeSpan.FromSeconds(5));

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Map, TrickyMap);
        await File.WriteAllTextAsync(Acl, TrickyAcl);
        var config = Path.Combine(_folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, $$"""
            global
                stats socket {{_folder}}/admin.sock mode 600 level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend f
                bind 127.0.0.1:{{_port}}
                http-request deny if { src -f {{Acl}} }
                http-request return status 200 content-type text/plain lf-string "%[req.hdr(host),lower,map({{Map}},none)]"

            """);
        _haproxy = await HaproxyMasterWorker.StartAsync(config, Path.Combine(_folder, "haproxy.pid"), Path.Combine(_folder, "master.sock"), _port);
    }

    public async Task DisposeAsync()
    {
        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task What_haproxy_loads_from_a_file_is_what_the_reconciler_reads_from_it()
    {
        Assert.Null(await new HaproxyPatternsApi(isMap: true, Map, Client).CompareAsync(TrickyMap, default));
        Assert.Null(await new HaproxyPatternsApi(isMap: false, Acl, Client).CompareAsync(TrickyAcl, default));
        Assert.NotNull(await new HaproxyPatternsApi(isMap: true, Map, Client).CompareAsync(TrickyMap.Replace("be2", "be9", StringComparison.Ordinal), default));
    }

    [Theory]
    [InlineData(true, TrickyMap, "# new\nz.example last\na.example first\na.example second\n\ty.example\tsome value\n")]
    [InlineData(false, TrickyAcl, "192.0.2.1\n\n# more\n  198.51.100.0/24\n192.0.2.1\n")]
    public async Task A_transaction_gives_haproxy_the_new_files_entries_and_a_reload_finds_the_same(bool isMap, string live, string rendered)
    {
        var file = isMap ? Map : Acl;
        var api = new HaproxyPatternsApi(isMap, file, Client);

        var result = await api.ApplyAsync(api.ChangeBetween(live, rendered), default);

        Assert.True(result.Applied, result.Reason);
        Assert.Null(await api.CompareAsync(rendered, default));
        await File.WriteAllTextAsync(file, rendered);
        await _haproxy!.ReloadAsync();
        await Poll.UntilAsync(async () => (await _haproxy.TryShowProcAsync()) is { Reloads: 1, OldWorkers.Count: 0 }, TimeSpan.FromSeconds(20), () => "HAProxy reloaded with no old worker left");
        Assert.Null(await api.CompareAsync(rendered, default));
    }

    [Fact]
    public async Task A_large_map_goes_through_in_batches_in_one_transaction()
    {
        var rendered = string.Concat(Enumerable.Range(0, 100000).Select(i => $"host-{i:000000}.example.com backend-{i % 7}\n"));
        var api = new HaproxyPatternsApi(isMap: true, Map, Client);
        var change = api.ChangeBetween(TrickyMap, rendered);

        var result = await api.ApplyAsync(change, default);

        Assert.True(result.Applied, result.Reason);
        Assert.Equal(change.CommandCount, result.Commands);
        Assert.True(change.CommandCount > 300, $"{change.CommandCount} commands");
        Assert.Null(await api.CompareAsync(rendered, default));
    }

    [Fact]
    public async Task A_map_haproxy_does_not_know_is_refused_with_its_answer()
    {
        var unknown = Path.Combine(_folder, "other.map");
        var api = new HaproxyPatternsApi(isMap: true, unknown, Client);

        var result = await api.ApplyAsync(api.ChangeBetween(string.Empty, "a.example x\n"), default);

        Assert.False(result.Applied);
        Assert.Equal(("refused", $"HAProxy refused 'prepare map {unknown}': Unknown map identifier. Please use #<id> or <file>."), (result.ReasonLabel, result.Reason));
    }

    [Fact]
    public async Task A_batch_haproxy_drops_unanswered_is_refused_not_taken_for_success()
    {
        // HAProxy closes without a word on a command with a payload larger than its buffer
        await using var socket = new CannedAdminSocket(command => command.StartsWith("prepare", StringComparison.Ordinal) ? "New version created: 7\n\n" : string.Empty);
        var api = new HaproxyPatternsApi(isMap: true, Map, new HaproxyRuntimeClient(socket.Path, TimeSpan.FromSeconds(5)));

        var result = await api.ApplyAsync(api.ChangeBetween(string.Empty, "a.example x\n"), default);

        Assert.Equal(("refused", $"HAProxy refused 'add map @7 {Map}': nothing"), (result.ReasonLabel, result.Reason));
        Assert.Equal(2, socket.Received.Count); // no commit after it
    }
}
