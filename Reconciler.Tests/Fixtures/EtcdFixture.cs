using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Reconciler.Actors.Backends;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A real single-node etcd (<c>/usr/bin/etcd</c>) on free loopback ports with a throwaway data dir.
/// Use it as a class/collection fixture, or per test with <see cref="StartNewAsync"/> for fault tests
/// (<see cref="StopAsync"/> kills etcd, <see cref="StartAsync"/> brings it back on the same ports and data).
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime, IDisposable
{
    private const string EtcdBinary = "/usr/bin/etcd";
    private const int OutputLinesKept = 40;
    private const int MaxOpsPerTxn = 128; // etcd's default --max-txn-ops

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(20);

    private readonly Queue<string> _output = new(); // the last lines etcd printed, for startup-failure messages
    private readonly TestCertificates? _tls;
    private Process? _process;
    private EtcdClient? _client;

    public EtcdFixture()
        : this(tls: null)
    {
    }

    private EtcdFixture(TestCertificates? tls)
    {
        _tls = tls;
        ClientPort = FreePort.Next();
        PeerPort = FreePort.Next();
        DataDir = Directory.CreateTempSubdirectory("reconciler-etcd-").FullName;
    }

    public int ClientPort { get; }

    public int PeerPort { get; }

    public string ClientUrl => $"{(_tls is null ? "http" : "https")}://127.0.0.1:{ClientPort}";

    /// <summary>How a client reaches this etcd: with TLS, trusting its CA and presenting the client certificate.</summary>
    public EtcdConnectionOptions ConnectionOptions =>
        _tls is null
            ? new EtcdConnectionOptions([ClientUrl])
            : new EtcdConnectionOptions([ClientUrl]) { CaFile = _tls.CaFile, CertFile = _tls.ClientCertFile, KeyFile = _tls.ClientKeyFile };

    public string DataDir { get; }

    private EtcdClient Client => _client ?? throw new InvalidOperationException("etcd is not running");

    /// <summary>
    /// Starts a private etcd for one test; dispose it at the end of the test. With <paramref name="tls"/> it serves
    /// https only, with the server certificate, and accepts only clients whose certificate its CA issued.
    /// </summary>
    public static async Task<EtcdFixture> StartNewAsync(TestCertificates? tls = null)
    {
        var etcd = new EtcdFixture(tls);
        try
        {
            await etcd.StartAsync();
            return etcd;
        }
        catch
        {
            etcd.Dispose();
            throw;
        }
    }

    public Task InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Starts etcd (again) on the same ports and data dir and waits until it is healthy.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("etcd is already running");
        }

        if (!File.Exists(EtcdBinary))
        {
            throw new InvalidOperationException(
                $"{EtcdBinary} not found; the etcd integration tests need it: apt-get install -y etcd-server etcd-client");
        }

        _process = Process.Start(StartInfo()) ?? throw new InvalidOperationException($"could not start {EtcdBinary}");
        _process.OutputDataReceived += (_, e) => KeepOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => KeepOutput(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        try
        {
            await WaitUntilHealthyAsync(_process);
        }
        catch
        {
            Kill(); // a half-started etcd must not outlive the failed test
            throw;
        }

        _client = EtcdClientFactory.Create(ConnectionOptions);
    }

    /// <summary>Kills etcd (SIGKILL, no graceful shutdown), as a crash or a power cut would.</summary>
    public Task StopAsync()
    {
        Kill();
        return Task.CompletedTask;
    }

    /// <summary><c>etcdctl snapshot save</c>: the documented backup.</summary>
    public Task SaveSnapshotAsync(string file) => EtcdCtlAsync("--endpoints", ClientUrl, "snapshot", "save", file);

    /// <summary>
    /// The documented disaster recovery: kills etcd, replaces its data with <c>etcdctl snapshot restore</c> of
    /// <paramref name="file"/> (same name and peer URL) and starts it again on the same ports, at the snapshot's revision.
    /// </summary>
    public async Task RestoreSnapshotAsync(string file)
    {
        Kill();
        Directory.Delete(DataDir, recursive: true);
        var peerUrl = $"http://127.0.0.1:{PeerPort}";
        await EtcdCtlAsync(
            "snapshot", "restore", file, "--data-dir", DataDir, "--name", "test",
            "--initial-cluster", $"test={peerUrl}", "--initial-advertise-peer-urls", peerUrl);
        await StartAsync();
    }

    /// <summary>Kills etcd, deletes its data and starts an empty one behind the same endpoints (revisions start over).</summary>
    public async Task WipeAndRecreateAsync()
    {
        Kill();
        Directory.Delete(DataDir, recursive: true);
        Directory.CreateDirectory(DataDir);
        await StartAsync();
    }

    /// <summary>Every key and value under <paramref name="prefix"/>, as etcd holds them now.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RangeAsync(string prefix)
    {
        var response = await Client.GetRangeAsync(prefix);
        return response.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8(), kv => kv.Value.ToStringUtf8());
    }

    /// <returns>The revision of the put.</returns>
    public async Task<long> PutAsync(string key, string value) =>
        (await Client.PutAsync(key, value)).Header.Revision;

    /// <summary>Puts many keys in as few revisions as etcd's txn size limit allows (fast set-up of big key sets).</summary>
    /// <returns>The revision of the last put.</returns>
    public async Task<long> PutManyAsync(IEnumerable<KeyValuePair<string, string>> keys)
    {
        var revision = 0L;
        foreach (var chunk in keys.Chunk(MaxOpsPerTxn))
        {
            var txn = new TxnRequest();
            txn.Success.AddRange(chunk.Select(kv => new RequestOp
            {
                RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(kv.Key), Value = ByteString.CopyFromUtf8(kv.Value) },
            }));
            revision = (await Client.GetConnection().KVClient.TxnAsync(txn)).Header.Revision;
        }

        return revision;
    }

    /// <returns>The revision of the delete.</returns>
    public async Task<long> DeleteAsync(string key) =>
        (await Client.DeleteAsync(key)).Header.Revision;

    /// <returns>The lease the key is attached to (0: none), or null when there is no such key.</returns>
    public async Task<long?> LeaseOfAsync(string key)
    {
        var response = await Client.GetAsync(key);
        return response.Kvs.Count == 0 ? null : response.Kvs[0].Lease;
    }

    public async Task<long> GetRevisionAsync() =>
        (await Client.GetAsync("\0")).Header.Revision;

    /// <summary>Compacts the history up to <paramref name="revision"/> and waits until it is applied.</summary>
    public Task CompactAsync(long revision) =>
        Client.CompactAsync(new CompactionRequest { Revision = revision, Physical = true });

    /// <summary>Turns on etcd auth with a root user; this fixture's own client keeps working as root.</summary>
    public async Task EnableAuthAsync(string rootPassword)
    {
        await Client.UserAddAsync(new AuthUserAddRequest { Name = "root", Password = rootPassword });
        await Client.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = "root" });
        await Client.AuthEnableAsync(new AuthEnableRequest());
        Client.SetCredentials("root", rootPassword);
    }

    /// <summary>
    /// A user whose one role grants read on each of <paramref name="prefixes"/> as <c>etcdctl role grant-permission
    /// &lt;role&gt; read &lt;prefix&gt; --prefix=true</c> does (needs <see cref="EnableAuthAsync"/> first, or after).
    /// </summary>
    public async Task AddReaderAsync(string user, string password, params string[] prefixes)
    {
        await Client.RoleAddAsync(new AuthRoleAddRequest { Name = user });
        foreach (var prefix in prefixes)
        {
            var key = ByteString.CopyFromUtf8(prefix);
            await Client.RoleGrantPermissionAsync(new AuthRoleGrantPermissionRequest
            {
                Name = user,
                Perm = new Authpb.Permission { PermType = Authpb.Permission.Types.Type.Read, Key = key, RangeEnd = EtcdClient.GetRangeEnd(key) },
            });
        }

        await Client.UserAddAsync(new AuthUserAddRequest { Name = user, Password = password });
        await Client.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = user, Role = user });
    }

    public void Dispose()
    {
        Kill();
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    private static async Task EtcdCtlAsync(params string[] args)
    {
        var info = new ProcessStartInfo("etcdctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["ETCDCTL_API"] = "3";
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start etcdctl");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"etcdctl {string.Join(' ', args)} did not finish within 30 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} failed: {await output}{await errors}");
        }
    }

    private void Kill()
    {
        _client?.Dispose();
        _client = null;
        if (_process is { } process)
        {
            _process = null;
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }

    private ProcessStartInfo StartInfo()
    {
        var peerUrl = $"http://127.0.0.1:{PeerPort}";
        var info = new ProcessStartInfo(EtcdBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--name", "test",
                     "--data-dir", DataDir,
                     "--listen-client-urls", ClientUrl,
                     "--advertise-client-urls", ClientUrl,
                     "--listen-peer-urls", peerUrl,
                     "--initial-advertise-peer-urls", peerUrl,
                     "--initial-cluster", $"test={peerUrl}",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        if (_tls is not null)
        {
            foreach (var arg in new[]
                     {
                         "--cert-file", _tls.ServerCertFile, "--key-file", _tls.ServerKeyFile,
                         "--trusted-ca-file", _tls.CaFile, "--client-cert-auth",
                     })
            {
                info.ArgumentList.Add(arg);
            }
        }

        return info;
    }

    private async Task WaitUntilHealthyAsync(Process process)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw StartupFailed($"etcd exited with code {process.ExitCode}");
            }

            if (await IsHealthyAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw StartupFailed($"etcd did not become healthy within {StartupTimeout.TotalSeconds:0} s");
    }

    private async Task<bool> IsHealthyAsync()
    {
        using var http = new HttpClient(HealthHandler()) { Timeout = TimeSpan.FromSeconds(1) };
        try
        {
            var body = await http.GetStringAsync($"{ClientUrl}/health");
            return body.Contains("\"health\":\"true\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false; // not listening yet
        }
    }

    /// <summary>
    /// With TLS, /health wants a client certificate too. The probe only asks whether etcd is up: whether its
    /// certificate is trusted is for the product's client (EtcdClientFactory) and the TLS tests to decide.
    /// </summary>
    private SocketsHttpHandler HealthHandler()
    {
        var handler = new SocketsHttpHandler();
        if (_tls is not null)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(_tls.ClientCertFile, _tls.ClientKeyFile)];
#pragma warning disable CA5359 // the fixture's own client of the etcd it started with a certificate it generated
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        return handler;
    }

    private void KeepOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLinesKept)
            {
                _output.Dequeue();
            }
        }
    }

    private InvalidOperationException StartupFailed(string what)
    {
        lock (_output)
        {
            return new InvalidOperationException(
                $"{what} ({ClientUrl}, data dir {DataDir}); last output:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
        }
    }
}
