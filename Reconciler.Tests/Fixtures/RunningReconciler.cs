using System.Collections.Concurrent;
using System.Diagnostics;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A long-running <c>reconciler</c> process (the daemon, <c>register</c>): its output as it comes, signals as
/// systemd would send them, and a kill at dispose so no test leaves it behind.
/// </summary>
public sealed class RunningReconciler : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public RunningReconciler(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    /// <summary>Every line printed so far, stdout and stderr interleaved as they arrived.</summary>
    public IReadOnlyList<string> Lines => [.. _output];

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Waits until a printed line satisfies <paramref name="match"/>; fails with the output at the deadline or if the process exits.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (_output.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                Assert.Fail($"reconciler exited ({_process.ExitCode}) before {what}:{Environment.NewLine}{Output}");
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"not within {Deadline.TotalSeconds:0} s: {what}{Environment.NewLine}{Output}");
    }

    /// <summary>Sends a signal (SIGTERM, SIGINT, SIGKILL) to the process.</summary>
    public void Signal(int signal) => Assert.Equal(0, LibC.kill(_process.Id, signal));

    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
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

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
