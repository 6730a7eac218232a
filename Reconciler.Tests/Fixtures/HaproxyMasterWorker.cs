using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A real HAProxy (<c>/usr/sbin/haproxy</c>) in master-worker mode, as systemd runs it: <c>-W</c> keeps a master
/// that re-executes itself on SIGUSR2 and hands the traffic to a new worker; <c>-S</c> opens the master CLI this
/// fixture reads the worker generations from. Disposing stops the master and makes sure no worker outlives it.
/// </summary>
public sealed class HaproxyMasterWorker : IAsyncDisposable
{
    private const string HaproxyBinary = "/usr/sbin/haproxy";
    private const int OutputLinesKept = 200;

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentDictionary<int, bool> _workersSeen = new();

    private HaproxyMasterWorker(Process process, string masterSocket)
    {
        _process = process;
        MasterSocket = masterSocket;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string MasterSocket { get; }

    /// <summary>What HAProxy printed (notices, warnings, alerts), oldest first.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts HAProxy on <paramref name="configFile"/> with its pid file and master CLI socket at the given paths,
    /// and waits until a worker accepts connections on <paramref name="frontendPort"/>.
    /// </summary>
    public static async Task<HaproxyMasterWorker> StartAsync(string configFile, string pidFile, string masterSocket, int frontendPort)
    {
        if (!File.Exists(HaproxyBinary))
        {
            throw new InvalidOperationException($"{HaproxyBinary} not found; the scenario tests need it: apt-get install -y haproxy");
        }

        var start = new ProcessStartInfo(HaproxyBinary)
        {
            ArgumentList = { "-W", "-S", masterSocket, "-p", pidFile, "-f", configFile },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var haproxy = new HaproxyMasterWorker(
            Process.Start(start) ?? throw new InvalidOperationException($"cannot start {HaproxyBinary}"), masterSocket);
        try
        {
            await haproxy.WaitUntilServingAsync(frontendPort);
            return haproxy;
        }
        catch
        {
            await haproxy.DisposeAsync();
            throw;
        }
    }

    /// <summary>The master, its reload count and its workers, from the master CLI.</summary>
    public async Task<MasterProcessList> ShowProcAsync()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(MasterSocket), timeout.Token);
        await socket.SendAsync("show proc\n"u8.ToArray(), SocketFlags.None, timeout.Token);
        socket.Shutdown(SocketShutdown.Send); // as socat does: the master answers, then closes
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        var processes = MasterProcessList.Parse(answer.ToString());
        foreach (var pid in processes.Workers.Concat(processes.OldWorkers))
        {
            _workersSeen.TryAdd(pid, true);
        }

        return processes;
    }

    /// <summary>Reloads as a reload-cmd does (SIGUSR2 to the master), outside any reconciler: the new worker reads every file again.</summary>
    public async Task ReloadAsync()
    {
        var kill = await ExternalCommand.RunAsync("kill", ["-USR2", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Stops the master (SIGTERM stops its workers), and kills whatever is left after a few seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await TryShowProcAsync(); // learns the current workers' pids, to check below that they are gone
            _ = LibC.kill(_process.Id, LibC.SIGTERM);
            using var deadline = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        await KillSurvivingWorkersAsync();
        _process.Dispose();
    }

    private async Task WaitUntilServingAsync(int frontendPort)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited with code {_process.ExitCode}:{Environment.NewLine}{Output}");
            }

            if (await TryShowProcAsync() is { Workers.Count: > 0 } && await AcceptsAsync(frontendPort))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"haproxy did not serve port {frontendPort} within {StartupTimeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
    }

    /// <summary>Like <see cref="ShowProcAsync"/>, but null while the master CLI does not answer (it re-executes itself on every reload).</summary>
    public async Task<MasterProcessList?> TryShowProcAsync()
    {
        try
        {
            return await ShowProcAsync();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException)
        {
            return null; // the master CLI is not up yet, or the master is gone
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A worker the master lost track of would keep the test's ports; none may survive the fixture.</summary>
    private async Task KillSurvivingWorkersAsync()
    {
        var deadline = DateTime.UtcNow + StopTimeout;
        var alive = _workersSeen.Keys.Where(IsAlive).ToList();
        while (alive.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            alive = alive.Where(IsAlive).ToList();
        }

        foreach (var pid in alive)
        {
            _ = LibC.kill(pid, LibC.SIGKILL);
        }
    }

    /// <summary>Running and still an haproxy (a reused pid would belong to someone else).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return stat.Contains("(haproxy)", StringComparison.Ordinal) && state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept && _output.TryDequeue(out _))
        {
        }
    }
}
