using Reconciler.Actors.Backends;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;

namespace Reconciler.Tests.Integration;

/// <summary>
/// The usual least-privilege role, on an etcd with TLS, client certificates and auth on: a template on
/// <c>keys = ["/a"]</c> works with <c>etcdctl role grant-permission reader read /a/ --prefix=true</c>, the key
/// <c>/a</c> itself left out as not there, and is read too where the grant reaches it (<c>read /b --prefix=true</c>).
/// </summary>
public sealed class LeastPrivilegeTests : IAsyncLifetime, IDisposable
{
    private const string ReaderPassword = "reader-s3cret";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly TestCertificates _pki = new();
    private readonly TempFolder _folder = new();
    private EtcdFixture _etcd = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdFixture.StartNewAsync(_pki);
        await _etcd.EnableAuthAsync("root-s3cret");
        await _etcd.AddReaderAsync("reader", ReaderPassword, "/a/", "/b");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _etcd.Dispose();
        _pki.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_read_grant_on_the_prefix_and_slash_is_enough_to_read_at_a_revision_and_watch()
    {
        await _etcd.PutAsync("/a", "self, not granted");
        await _etcd.PutAsync("/a/x", "1");
        await _etcd.PutAsync("/ab/y", "a sibling, not granted");
        await _etcd.PutAsync("/b", "self, granted");
        var before = await _etcd.PutAsync("/b/z", "2");
        using var timeout = new CancellationTokenSource(Timeout);
        await using var source = new EtcdKeyValueSource(_etcd.ConnectionOptions with { Username = "reader", Password = ReaderPassword });
        KeyPrefix[] prefixes = [new("/a"), new("/b")];

        var snapshot = await source.ReadAsync(prefixes, timeout.Token);
        await _etcd.PutAsync("/a/x", "changed after");
        var past = await source.ReadAtAsync(prefixes, before, timeout.Token);
        await using var watch = source.WatchAsync(prefixes.ToDictionary(p => p, _ => snapshot.Revision + 1), timeout.Token).GetAsyncEnumerator(timeout.Token);
        await _etcd.PutAsync("/a", "self again, still not granted");
        var y = await _etcd.PutAsync("/a/y", "3");
        var b = await _etcd.PutAsync("/b", "self changed");
        var events = new List<KeyEvent>();
        while (events.Count < 3 && await watch.MoveNextAsync())
        {
            events.AddRange(watch.Current.Events);
        }

        Dictionary<string, string> expected = new() { ["/a/x"] = "1", ["/b"] = "self, granted", ["/b/z"] = "2" };
        Assert.Equal(expected, snapshot.Keys);
        Assert.Equal(expected, past.Keys);
        Assert.Equal(
            [KeyEvent.Put("/a/x", "changed after", snapshot.Revision + 1), KeyEvent.Put("/a/y", "3", y), KeyEvent.Put("/b", "self changed", b)],
            events.OrderBy(e => e.ModRevision));
    }

    [Fact]
    public async Task A_prefix_outside_every_grant_is_refused_naming_the_grant_it_needs()
    {
        await using var source = new EtcdKeyValueSource(_etcd.ConnectionOptions with { Username = "reader", Password = ReaderPassword });

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([new KeyPrefix("/c")], CancellationToken.None));

        Assert.Equal($"etcd {_etcd.ClientUrl}: permission denied: no role of the user grants read /c/ --prefix=true", error.Message);
    }

    [Fact]
    public async Task Onetime_renders_a_template_on_the_prefix_with_only_that_grant()
    {
        await _etcd.PutAsync("/a", "self, not granted");
        await _etcd.PutAsync("/a/x", "1");
        await _etcd.PutAsync("/a/y", "2");
        File.WriteAllText(_folder["t.sbn"], "{{ for v in getvs \"/a/*\" }}{{ v }};{{ end }}");
        File.WriteAllText(_folder["reader.conf"], $$"""
            reconciler.backend { endpoints = ["{{_etcd.ClientUrl}}"], username = reader, password = "{{ReaderPassword}}" }
            reconciler.backend.tls { ca-file = "{{_pki.CaFile}}", cert-file = "{{_pki.ClientCertFile}}", key-file = "{{_pki.ClientKeyFile}}" }
            reconciler.templates = [{ name = t, src = "{{_folder["t.sbn"]}}", dest = "{{_folder["out.txt"]}}", keys = ["/a"] }]
            """);

        var result = await ReconcilerProcess.RunAsync("--config", _folder["reader.conf"], "--onetime");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("1;2;", File.ReadAllText(_folder["out.txt"]));
    }
}
