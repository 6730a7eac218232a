using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using DnsClient;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A real DNS server (<c>dnsmasq</c>, in the foreground) on a free loopback port, answering for <see cref="Domain"/>
/// only from the records it was started with: unknown names there get NXDOMAIN. Killed on dispose.
/// </summary>
public sealed class DnsmasqServer : IDisposable
{
    public const string Domain = "pool.test";

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;

    private DnsmasqServer(Process process, IPEndPoint endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public IPEndPoint Endpoint { get; }

    public ImmutableArray<IPEndPoint> Servers => [Endpoint];

    /// <param name="records">dnsmasq options that add records, e.g. <c>--srv-host=…</c> or <c>--host-record=…</c>.</param>
    public static async Task<DnsmasqServer> StartAsync(params string[] records)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, FreePort.Next());
        var start = new ProcessStartInfo("/usr/sbin/dnsmasq")
        {
            ArgumentList =
            {
                "--keep-in-foreground", "--conf-file=/dev/null", "--pid-file=", "--no-resolv", "--no-hosts",
                "--bind-interfaces", "--listen-address=127.0.0.1", $"--port={endpoint.Port}", $"--local=/{Domain}/",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var record in records)
        {
            start.ArgumentList.Add(record);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dnsmasq");
        var server = new DnsmasqServer(process, endpoint);
        try
        {
            await server.WaitUntilAnsweringAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    /// <summary>Until a query for an unknown name of <see cref="Domain"/> gets its NXDOMAIN.</summary>
    private Task WaitUntilAnsweringAsync()
    {
        var client = new LookupClient(new LookupClientOptions(Endpoint) { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0, UseCache = false });
        return Poll.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"dnsmasq exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
                }

                try
                {
                    var response = await client.QueryAsync($"probe.{Domain}", QueryType.A);
                    return response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain;
                }
                catch (DnsResponseException)
                {
                    return false; // not listening yet
                }
            },
            StartupTimeout,
            () => $"dnsmasq answering on {Endpoint}");
    }
}
