using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace Reconciler.Bench;

/// <summary>
/// A private single-node etcd (<c>/usr/bin/etcd</c>) on free loopback ports with a throwaway data dir,
/// plus the bench's own client for it and a reader of its Prometheus metrics.
/// </summary>
public sealed class EtcdServer : IDisposable
{
    private const string EtcdBinary = "/usr/bin/etcd";
    private const int MaxOpsPerTxn = 128; // etcd's default --max-txn-ops

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _dataDir;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private EtcdServer(Process process, string dataDir, string clientUrl)
    {
        _process = process;
        _dataDir = dataDir;
        ClientUrl = clientUrl;
        Client = new EtcdClient(clientUrl);
    }

    public string ClientUrl { get; }

    public EtcdClient Client { get; }

    public static async Task<EtcdServer> StartAsync(string dataDir)
    {
        var clientUrl = $"http://127.0.0.1:{LoopbackPort.Free()}";
        var peerUrl = $"http://127.0.0.1:{LoopbackPort.Free()}";
        var start = new ProcessStartInfo(EtcdBinary)
        {
            // etcd logs every request it finds slow; nobody reads it here, and a full pipe would block etcd
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     "--name", "bench", "--data-dir", dataDir,
                     "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                     "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                     "--initial-cluster", $"bench={peerUrl}",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {EtcdBinary}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new EtcdServer(process, dataDir, clientUrl);
        try
        {
            await server.WaitUntilHealthyAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Puts many keys in as few revisions as etcd's txn size limit allows.</summary>
    public async Task PutManyAsync(IEnumerable<KeyValuePair<string, string>> keys)
    {
        foreach (var chunk in keys.Chunk(MaxOpsPerTxn))
        {
            var txn = new TxnRequest();
            txn.Success.AddRange(chunk.Select(kv => new RequestOp
            {
                RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(kv.Key), Value = ByteString.CopyFromUtf8(kv.Value) },
            }));
            await Client.GetConnection().KVClient.TxnAsync(txn);
        }
    }

    /// <returns>The revision of the put.</returns>
    public async Task<long> PutAsync(string key, string value) => (await Client.PutAsync(key, value)).Header.Revision;

    /// <returns>The revision of the delete.</returns>
    public async Task<long> DeleteAsync(string key) => (await Client.DeleteAsync(key)).Header.Revision;

    /// <returns>The revision of the delete.</returns>
    public async Task<long> DeletePrefixAsync(string prefix) => (await Client.DeleteRangeAsync(prefix)).Header.Revision;

    /// <summary>The server version etcd reports on <c>/version</c>.</summary>
    public async Task<string> ReadVersionAsync()
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync($"{ClientUrl}/version"));
        return json.RootElement.GetProperty("etcdserver").GetString() ?? "unknown";
    }

    /// <summary>The sum over all label sets of each named counter on etcd's <c>/metrics</c> endpoint (HTTP, not gRPC: reading it is no etcd request).</summary>
    public async Task<IReadOnlyDictionary<string, double>> ReadCountersAsync(params string[] names)
    {
        var sums = new Dictionary<string, double>();
        var text = await _http.GetStringAsync($"{ClientUrl}/metrics");
        foreach (var line in text.Split('\n'))
        {
            var nameEnd = line.IndexOfAny(['{', ' ']);
            if (line.StartsWith('#') || nameEnd <= 0 || !names.Contains(line[..nameEnd]))
            {
                continue;
            }

            var name = line[..nameEnd];
            sums[name] = sums.GetValueOrDefault(name) + double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        // a counter etcd does not export would read as a reassuring zero
        var missing = names.Where(name => !sums.ContainsKey(name)).ToList();
        return missing.Count == 0
            ? sums
            : throw new InvalidOperationException($"etcd's /metrics has no {string.Join(", ", missing)}");
    }

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    private async Task WaitUntilHealthyAsync()
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode} (data dir {_dataDir})");
            }

            try
            {
                if ((await _http.GetStringAsync($"{ClientUrl}/health")).Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"etcd at {ClientUrl} did not become healthy within {StartupTimeout.TotalSeconds:0} s");
    }
}
