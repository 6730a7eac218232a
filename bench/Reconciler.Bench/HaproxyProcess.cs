using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Bench;

/// <summary>HAProxy in master-worker mode on a config file; stopped (master and workers) on dispose.</summary>
public sealed class HaproxyProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _master;

    private HaproxyProcess(Process master, Uri frontend)
    {
        _master = master;
        Frontend = frontend;
    }

    public Uri Frontend { get; }

    public static HaproxyProcess Start(string config, string pidFile, string? frontend = null)
    {
        var master = Process.Start(new ProcessStartInfo("haproxy") { ArgumentList = { "-W", "-q", "-p", pidFile, "-f", config } })
            ?? throw new InvalidOperationException("cannot start haproxy");
        // the shipped template binds the stats frontend first, then http-in
        var bind = frontend ?? File.ReadLines(config).Select(l => l.Trim()).Last(l => l.StartsWith("bind ", StringComparison.Ordinal))[5..];
        var haproxy = new HaproxyProcess(master, new Uri($"http://{bind}/"));
        var deadline = Stopwatch.StartNew();
        while (!Accepts(IPEndPoint.Parse(bind)))
        {
            if (deadline.Elapsed > StartTimeout || master.HasExited)
            {
                haproxy.Dispose();
                throw new InvalidOperationException($"haproxy does not accept on {bind}");
            }

            Thread.Sleep(20);
        }

        return haproxy;
    }

    public static bool Accepts(IPEndPoint endpoint)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_master.HasExited)
        {
            Process.Start("kill", ["-TERM", _master.Id.ToString()])?.WaitForExit();
            _master.WaitForExit(5000);
        }

        _master.Dispose();
    }
}
