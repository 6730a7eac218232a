using System.Collections.Concurrent;
using System.Diagnostics;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// The built <c>reconciler</c> running in the background (the daemon, <c>register</c>), as systemd
/// would run it: extra environment variables, its output as it comes, signals, and a kill at
/// dispose so no test leaves it behind.
/// </summary>
public sealed class RunningReconciler : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan LineDeadline = TimeSpan.FromSeconds(20);

    /// <summary>Variables systemd sets; cleared unless a test sets them, so the runner's own environment does not leak in.</summary>
    private static readonly string[] SystemdVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private RunningReconciler(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data, _stdout);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data, _stderr);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line printed so far, stdout and stderr interleaved as they arrived.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The log: every line written to stderr so far.</summary>
    public IReadOnlyCollection<string> StderrLines => _stderr;

    public string Output => string.Join(Environment.NewLine, _lines);

    public static RunningReconciler Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static RunningReconciler Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = ReconcilerProcess.StartInfo(args);
        foreach (var variable in SystemdVariables)
        {
            start.Environment.Remove(variable);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new RunningReconciler(Process.Start(start)!);
    }

    public int CountLines(string containing) => _lines.Count(line => line.Contains(containing, StringComparison.Ordinal));

    /// <summary>Waits until a printed line satisfies <paramref name="match"/>; fails with the output at the deadline or if the process exits.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + LineDeadline;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                Assert.Fail($"reconciler exited ({_process.ExitCode}) before {what}:{Environment.NewLine}{Output}");
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"not within {LineDeadline.TotalSeconds:0} s: {what}{Environment.NewLine}{Output}");
    }

    /// <summary>Sends a signal (<see cref="LibC.SIGTERM"/>, <see cref="LibC.SIGHUP"/>, <see cref="LibC.SIGKILL"/>) to the process.</summary>
    public void Signal(int signal) => Assert.Equal(0, LibC.kill(_process.Id, signal));

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
            throw new TimeoutException($"reconciler did not exit within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
        }

        // the parameterless wait also drains the asynchronous output readers
        await _process.WaitForExitAsync(CancellationToken.None);
        return new ProcessResult(_process.ExitCode, string.Join('\n', _stdout), string.Join('\n', _stderr));
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

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line, ConcurrentQueue<string> stream)
    {
        if (line is not null)
        {
            stream.Enqueue(line);
            _lines.Enqueue(line);
        }
    }
}
