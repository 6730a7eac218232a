using System.Diagnostics;
using System.Text.RegularExpressions;
using dotnet_etcd;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A real 3-member etcd cluster on free loopback ports, for faults a single member cannot show: a member
/// that hangs (SIGSTOP) while the other two keep serving writes. Dispose kills every member.
/// </summary>
public sealed class EtcdCluster : IDisposable
{
    private const int Size = 3;
    private const int SigStop = 19;
    private const int SigCont = 18;

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(1) };

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-etcd-cluster-").FullName;
    private readonly int[] _clientPorts = [.. Enumerable.Range(0, Size).Select(_ => FreePort.Next())];
    private readonly int[] _peerPorts = [.. Enumerable.Range(0, Size).Select(_ => FreePort.Next())];
    private readonly List<Process> _members = [];

    private EtcdCluster()
    {
    }

    public IReadOnlyList<string> ClientUrls => [.. _clientPorts.Select(port => $"http://127.0.0.1:{port}")];

    public static async Task<EtcdCluster> StartAsync()
    {
        var cluster = new EtcdCluster();
        try
        {
            for (var i = 0; i < Size; i++)
            {
                var member = Process.Start(cluster.StartInfo(i)) ?? throw new InvalidOperationException("could not start etcd");
                cluster._members.Add(member);

                // drained so a full pipe never blocks a member
                member.OutputDataReceived += (_, _) => { };
                member.ErrorDataReceived += (_, _) => { };
                member.BeginOutputReadLine();
                member.BeginErrorReadLine();
            }

            await Poll.UntilAsync(
                async () => (await Task.WhenAll(cluster.ClientUrls.Select(IsHealthyAsync))).All(healthy => healthy),
                StartupTimeout,
                () => "every member of the 3-member etcd cluster healthy");
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Which member holds watches, from etcd's own metrics; -1 while none does.</summary>
    public async Task<int> WatchHolderAsync()
    {
        for (var i = 0; i < Size; i++)
        {
            var metrics = await Http.GetStringAsync($"{ClientUrls[i]}/metrics");
            var match = Regex.Match(metrics, @"^etcd_debugging_mvcc_watcher_total (\S+)$", RegexOptions.Multiline);
            if (match.Success && double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Hangs the member without closing anything: its sockets stay open and nothing answers.</summary>
    public void Freeze(int member) => Assert.Equal(0, LibC.kill(_members[member].Id, SigStop));

    public void Thaw(int member) => Assert.Equal(0, LibC.kill(_members[member].Id, SigCont));

    /// <summary>Puts through <paramref name="member"/>, retrying while the cluster elects a new leader.</summary>
    public async Task<long> PutAsync(int member, string key, string value)
    {
        using var client = EtcdClientFactory.Create(new EtcdConnectionOptions([ClientUrls[member]]));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return (await client.PutAsync(key, value, deadline: DateTime.UtcNow.AddSeconds(2))).Header.Revision;
            }
            // A deadline that fires inside the HTTP/2 stream surfaces as TaskCanceledException, not RpcException.
            catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Kill(entireProcessTree: true);
            member.WaitForExit();
            member.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<bool> IsHealthyAsync(string clientUrl)
    {
        try
        {
            return (await Http.GetStringAsync($"{clientUrl}/health")).Contains("\"health\":\"true\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private ProcessStartInfo StartInfo(int member)
    {
        var initialCluster = string.Join(",", _peerPorts.Select((port, i) => $"m{i}=http://127.0.0.1:{port}"));
        var clientUrl = ClientUrls[member];
        var peerUrl = $"http://127.0.0.1:{_peerPorts[member]}";
        var info = new ProcessStartInfo("/usr/bin/etcd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "--name", $"m{member}",
                     "--data-dir", Path.Combine(_folder, $"m{member}"),
                     "--listen-client-urls", clientUrl,
                     "--advertise-client-urls", clientUrl,
                     "--listen-peer-urls", peerUrl,
                     "--initial-advertise-peer-urls", peerUrl,
                     "--initial-cluster", initialCluster,
                     "--initial-cluster-state", "new",
                     "--log-level", "error",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
