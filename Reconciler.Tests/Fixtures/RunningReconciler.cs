using System.Collections.Concurrent;
using System.Diagnostics;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// The built <c>reconciler</c> running in the background, as systemd would run it: extra environment
/// variables, stderr collected line by line, signals. Disposing kills it if it is still running.
/// </summary>
public sealed class RunningReconciler : IDisposable
{
    public const int SIGTERM = 15;

    /// <summary>Variables systemd sets; cleared unless a test sets them, so the runner's own environment does not leak in.</summary>
    private static readonly string[] SystemdVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Task<string> _stdout;

    private RunningReconciler(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _stdout = _process.StandardOutput.ReadToEndAsync();
    }

    public int Pid => _process.Id;

    public IReadOnlyCollection<string> StderrLines => _stderr;

    public static RunningReconciler Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "reconciler.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var variable in SystemdVariables)
        {
            start.Environment.Remove(variable);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new RunningReconciler(process);
    }

    public void Signal(int signal)
    {
        if (LibC.kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
        }
    }

    /// <summary>Waits for the process to exit on its own; throws if it does not within <paramref name="timeout"/>.</summary>
    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"reconciler did not exit within {timeout.TotalSeconds:0}s; stderr:\n{string.Join('\n', _stderr)}");
        }

        return new ProcessResult(_process.ExitCode, await _stdout, string.Join('\n', _stderr));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
