using System.Text.Json;
using Reconciler.Actors.Backends;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;
using Reconciler.Tests.Output;

namespace Reconciler.Tests.Integration;

/// <summary>
/// Each way etcd cannot be used, produced for real: one line naming the endpoint once, in plain words, the same
/// from the key source (the daemon's log and /healthz), <c>--onetime</c> and <c>--noop</c>.
/// </summary>
public sealed class BackendFailureMessageTests : IAsyncLifetime, IDisposable
{
    private static readonly KeyPrefix[] Prefixes = [new("/a")];
    private readonly TestCertificates _pki = new();
    private readonly TempFolder _folder = new();
    private EtcdFixture _etcd = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdFixture.StartNewAsync(_pki);
        await _etcd.EnableAuthAsync("root-s3cret");
        await _etcd.AddReaderAsync("reader", "reader-s3cret", "/a/");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _etcd.Dispose();
        _pki.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Each_failure_is_one_plain_line_naming_the_endpoint_once()
    {
        var reader = _etcd.ConnectionOptions with { Username = "reader", Password = "reader-s3cret", RequestTimeout = TimeSpan.FromSeconds(3) };
        var refusedUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var cases = new (string Name, EtcdConnectionOptions Options, KeyPrefix Prefix, string Expected)[]
        {
            ("refused port", new EtcdConnectionOptions([refusedUrl]) { RequestTimeout = TimeSpan.FromSeconds(3) }, Prefixes[0], $"etcd {refusedUrl}: connection refused"),
            ("wrong CA", reader with { CaFile = _pki.OtherCaFile }, Prefixes[0],
                $"etcd {_etcd.ClientUrl}: TLS: the server certificate CN=etcd is refused: it is not issued by a CA in tls.ca-file (PartialChain)"),
            ("missing client certificate", reader with { CertFile = null, KeyFile = null }, Prefixes[0],
                $"etcd {_etcd.ClientUrl}: TLS: the server requires a client certificate: set tls.cert-file and tls.key-file"),
            ("wrong password", reader with { Password = "wrong-pass" }, Prefixes[0], $"etcd {_etcd.ClientUrl}: authentication failed: wrong username or password"),
            ("permission denied", reader, new KeyPrefix("/c"), $"etcd {_etcd.ClientUrl}: permission denied: no role of the user grants read /c/ --prefix=true"),
        };

        foreach (var (name, options, prefix, expected) in cases)
        {
            await using var source = new EtcdKeyValueSource(options);
            var error = await Assert.ThrowsAsync<BackendUnavailableException>(() => source.ReadAsync([prefix], CancellationToken.None));
            Assert.True(expected == error.Message, $"{name}: expected\n{expected}\ngot\n{error.Message}");
        }
    }

    [Theory]
    [InlineData("--onetime")]
    [InlineData("--noop")]
    public async Task Onetime_and_noop_say_it_in_the_same_words_and_exit_1(string mode)
    {
        var refusedUrl = $"http://127.0.0.1:{FreePort.Next()}";
        File.WriteAllText(_folder["t.sbn"], "{{ getv \"/a/x\" }}");
        File.WriteAllText(_folder["refused.conf"], $$"""
            reconciler.backend.endpoints = ["{{refusedUrl}}"]
            reconciler.templates = [{ name = t, src = "{{_folder["t.sbn"]}}", dest = "{{_folder["out.txt"]}}", keys = ["/a"] }]
            """);

        var result = await ReconcilerProcess.RunAsync("--config", _folder["refused.conf"], mode);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n'), l => l.Contains("Cannot read keys", StringComparison.Ordinal));
        Assert.EndsWith($"Cannot read keys: etcd {refusedUrl}: connection refused", line.TrimEnd());
        Assert.DoesNotContain("subchannel", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daemon_logs_it_and_healthz_shows_it_in_the_same_words()
    {
        var port = FreePort.Next();
        File.WriteAllText(_folder["t.sbn"], "{{ getv \"/a/x\" }}");
        File.WriteAllText(_folder["daemon.conf"], $$"""
            reconciler.backend { endpoints = ["{{_etcd.ClientUrl}}"], username = reader, password = wrong-pass }
            reconciler.backend.tls { ca-file = "{{_pki.CaFile}}", cert-file = "{{_pki.ClientCertFile}}", key-file = "{{_pki.ClientKeyFile}}" }
            reconciler.http.listen = "127.0.0.1:{{port}}"
            reconciler.templates = [{ name = t, src = "{{_folder["t.sbn"]}}", dest = "{{_folder["out.txt"]}}", keys = ["/a"] }]
            """);
        var expected = $"etcd {_etcd.ClientUrl}: authentication failed: wrong username or password";

        await using var daemon = RunningReconciler.Start("--config", _folder["daemon.conf"]);
        await daemon.WaitForLineAsync(line => line.Contains($"Backend unavailable, retrying with backoff: {expected}", StringComparison.Ordinal), "the backend's failure");
        using var http = new HttpClient();
        string? lastError = null;
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                lastError = body.RootElement.GetProperty("backend").GetProperty("lastError").GetString();
                return lastError is not null;
            },
            TimeSpan.FromSeconds(20),
            () => "healthz names the backend's failure");

        Assert.Equal(expected, lastError);
        Assert.DoesNotContain(daemon.Lines, line => line.Contains("InvalidArgument", StringComparison.Ordinal) || line.Contains("wrong-pass", StringComparison.Ordinal));
    }
}
