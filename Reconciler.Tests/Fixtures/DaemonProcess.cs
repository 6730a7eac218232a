using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Reconciler.Tests.Fixtures;

/// <summary>The built <c>reconciler</c> running as a daemon process, with its log lines and signals.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();

    private DaemonProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public IReadOnlyCollection<string> LogLines => _stderr;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static DaemonProcess Start(params string[] args)
    {
        var process = new Process { StartInfo = ReconcilerProcess.StartInfo(args) };
        var daemon = new DaemonProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                daemon._stderr.Enqueue(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return daemon;
    }

    public int CountLines(string containing) => _stderr.Count(line => line.Contains(containing, StringComparison.Ordinal));

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

public static class Signals
{
    public const int SigHup = 1;
    public const int SigTerm = 15;
}
