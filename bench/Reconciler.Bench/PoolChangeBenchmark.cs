using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reconciler.Bench;

/// <summary>
/// Zero-reload pool changes (issue 11), against a real master-worker HAProxy with the shipped slot template: 100
/// register/deregister events of real HTTP instances, in runtime mode (the shipped <c>runtime { type = haproxy }</c>)
/// and in reload mode (runtime off). Per mode: put → first request served by the new instance, and reloads spent.
/// quiet = 0 in both, so the numbers are the mechanism's, not the debounce's.
/// </summary>
public sealed class PoolChangeBenchmark(EtcdServer etcd, string workFolder, TextWriter progress)
{
    public const int Events = 100;

    private const int Instances = 8;
    private const string Prefix = "/apps/stupid_server";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<PoolChangeResult> MeasureAsync(bool runtime)
    {
        var mode = runtime ? "runtime" : "reload";
        var folder = Path.Combine(workFolder, $"pool-{mode}");
        Directory.CreateDirectory(folder);
        await etcd.DeletePrefixAsync(Prefix);
        var (config, dest, reloadLog, pidFile) = WriteConfig(folder, runtime);
        await ReconcilerRender.ToFileAsync(config, "haproxy", dest);
        using var haproxy = HaproxyProcess.Start(dest, pidFile);
        using var daemon = ReconcilerDaemon.Launch(config, dest, reloadLog);
        await daemon.WaitForReconcileAsync(0, Timeout);

        var instances = Enumerable.Range(1, Instances).Select(n => new HttpInstance($"stupid-server-{n}")).ToList();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var pool = new Queue<HttpInstance>();
        var idle = new Queue<HttpInstance>(instances); // the longest out of the pool registers next: a reload's old worker may still know a recent one
        var served = new List<double>();
        var reconcilesBefore = daemon.ReconcileCount;
        for (var e = 0; e < Events; e++)
        {
            var register = pool.Count < 2 || (pool.Count < 6 && e % 2 == 0);
            var instance = register ? idle.Dequeue() : pool.Dequeue();
            var clock = Stopwatch.StartNew();
            var revision = register
                ? await etcd.PutAsync($"{Prefix}/{instance.Name}.service", $"{instance.Name} 127.0.0.1:{instance.Port}")
                : await etcd.DeleteAsync($"{Prefix}/{instance.Name}.service");
            if (!register)
            {
                idle.Enqueue(instance);
            }
            else
            {
                pool.Enqueue(instance);
                await UntilServedByAsync(client, haproxy.Frontend, instance.Name);
                served.Add(clock.Elapsed.TotalMilliseconds);
            }

            await daemon.WaitForReconcileAsync(revision, Timeout);
        }

        var reconciles = daemon.ReconcilesSince(reconcilesBefore);
        var runtimeApplies = reconciles.Count(r => r.Reload.StartsWith("runtime", StringComparison.Ordinal));
        progress.WriteLine($"{mode}: reconcile p50 {Distribution.Of([.. reconciles.Select(r => (double)r.TotalMs)])}, of which reload or runtime {Distribution.Of([.. reconciles.Select(r => (double)r.ReloadMs)])}, check {Distribution.Of([.. reconciles.Select(r => (double)r.CheckMs)])}");
        foreach (var instance in instances)
        {
            instance.Dispose();
        }

        var result = new PoolChangeResult(mode, Events, Distribution.Of(served), daemon.Reloads, runtimeApplies);
        progress.WriteLine($"pool changes, {mode} mode: {result.Reloads} reloads, {result.RuntimeApplies} runtime applies per {Events} events; put → first request served {result.PutToServed}");
        return result;
    }

    private (string Config, string Dest, string ReloadLog, string PidFile) WriteConfig(string folder, bool runtime)
    {
        var (config, dest, reloadLog, pidFile) = (Path.Combine(folder, "reconciler.conf"), Path.Combine(folder, "haproxy.cfg"), Path.Combine(folder, "reloads.log"), Path.Combine(folder, "haproxy.pid"));
        var socket = Path.Combine(folder, "admin.sock");
        File.WriteAllText(config, $$"""
            reconciler {
              backend { type = etcd, endpoints = ["{{etcd.ClientUrl}}"] }
              debounce { quiet = 0ms, max = 2s }
              # each change's reload at once, as measured before the 2s default: the per-change cost, not the spacing
              commands.min-reload-interval = 0s
              templates = [
                {
                  name = haproxy
                  src = "{{Path.Combine(AppContext.BaseDirectory, "shipped", "haproxy.cfg.sbn")}}"
                  dest = "{{dest}}"
                  keys = ["{{Prefix}}"]
                  check-cmd = "haproxy -c -q -f {{"{{src}}"}}"
                  # the instances listen on loopback, which the shipped default refuses
                  allowed-networks = ["127.0.0.0/8"]
                  reload-cmd = "echo reloaded >> {{reloadLog}}; kill -USR2 $(cat {{pidFile}})"
                  runtime { type = "{{(runtime ? "haproxy" : "")}}", socket = "{{socket}}", backends = ["application-backend"] }
                  vars { stats_socket = "{{socket}}", stats_bind = "127.0.0.1:{{LoopbackPort.Free()}}", http_bind = "127.0.0.1:{{LoopbackPort.Free()}}" }
                }
              ]
            }
            """);
        return (config, dest, reloadLog, pidFile);
    }

    private static async Task UntilServedByAsync(HttpClient client, Uri frontend, string name)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Timeout)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, frontend);
            request.Headers.ConnectionClose = true;
            try
            {
                using var response = await client.SendAsync(request);
                if (await response.Content.ReadAsStringAsync() == name)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // between workers during a reload, or an empty pool: keep asking
            }
        }

        throw new TimeoutException($"{name} served no request within {Timeout.TotalSeconds:0} s");
    }


    /// <summary>An application instance: answers every request with its name and closes the connection.</summary>
    private sealed class HttpInstance : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public HttpInstance(string name)
        {
            Name = name;
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Name { get; }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task ServeAsync()
        {
            var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Name.Length}\r\nConnection: close\r\n\r\n{Name}");
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var connection = await _listener.AcceptSocketAsync(_stop.Token);
                    var buffer = new byte[4096];
                    var request = new StringBuilder();
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await connection.ReceiveAsync(buffer, SocketFlags.None);
                        if (read == 0)
                        {
                            break;
                        }

                        request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    await connection.SendAsync(answer, SocketFlags.None);
                    connection.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // stopped, or a client gone mid-request
                }
            }
        }
    }
}

public sealed record PoolChangeResult(string Mode, int Events, Distribution PutToServed, int Reloads, int RuntimeApplies);
