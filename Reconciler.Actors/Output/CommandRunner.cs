using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Reconciler.Actors.Output;

/// <summary>
/// Runs an operator's <c>check-cmd</c>/<c>reload-cmd</c> with <c>sh -c</c> in a process group of its own,
/// so a timeout or cancellation can SIGKILL everything it started, background jobs included; with
/// <paramref name="environment"/> as its whole environment (<see cref="CommandEnvironment.Minimal"/> when null).
/// </summary>
public sealed class CommandRunner(CommandEnvironment? environment = null)
{
    private readonly CommandEnvironment _environment = environment ?? CommandEnvironment.Minimal;

    private const string SetsidPath = "/usr/bin/setsid";
    private const string ShellPath = "/bin/sh";
    private const int OutputLimit = 64 * 1024;

    /// <summary>
    /// How long to keep collecting output after the shell exited. A job the command left running may hold
    /// the output open indefinitely; the result does not wait for it.
    /// </summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="commandLine"/> with empty stdin. On timeout or cancellation its whole process
    /// group is killed and the result says <see cref="CommandResult.TimedOut"/> or
    /// <see cref="CommandResult.Cancelled"/>; it does not throw for either.
    /// </summary>
    public async Task<CommandResult> RunAsync(string commandLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "must be positive or infinite");
        }

        var watch = Stopwatch.StartNew();
        var output = new OutputTail(OutputLimit);
        var process = Start(commandLine, _environment);
        var drained = Task.WhenAll(CollectAsync(process.StandardOutput, output), CollectAsync(process.StandardError, output));
        try
        {
            var stopped = !await ExitsWithinAsync(process, timeout, cancellationToken);
            if (stopped)
            {
                await KillGroupAsync(process);
            }

            await Task.WhenAny(drained, Task.Delay(OutputGrace, CancellationToken.None));
            var cancelled = stopped && cancellationToken.IsCancellationRequested;
            return new CommandResult(process.ExitCode, output.ToString(), watch.Elapsed, TimedOut: stopped && !cancelled, cancelled);
        }
        finally
        {
            // Reading goes on until every writer has closed the output: a job the command left running
            // must not block on a full pipe or die of SIGPIPE because we stopped listening.
            _ = drained.ContinueWith(_ => process.Dispose(), TaskScheduler.Default);
        }
    }

    private static Process Start(string commandLine, CommandEnvironment environment)
    {
        // setsid execs (no fork: our child is never a group leader), so the shell's pid is its process group id.
        // The shell first sends its stderr into stdout's pipe, keeping both in the order they were written,
        // then runs the operator's command line (configuration, never etcd data) — one exec fewer than a wrapper shell.
        var start = new ProcessStartInfo(SetsidPath)
        {
            ArgumentList = { ShellPath, "-c", "exec 2>&1\n" + commandLine },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        foreach (var (name, value) in environment.Variables)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {SetsidPath}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {SetsidPath} {ShellPath}: {e.Message}", e);
        }

        process.StandardInput.Close();
        return process;
    }

    /// <summary>True when the process exits by itself before the timeout and without cancellation.</summary>
    private static async Task<bool> ExitsWithinAsync(Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task KillGroupAsync(Process process)
    {
        var groupId = process.Id;
        if (LibC.kill(-groupId, LibC.SIGKILL) != 0 && Marshal.GetLastPInvokeError() == LibC.ESRCH && !process.HasExited)
        {
            // Stopped so early that setsid has not run yet: the process is still in our group, kill just it.
            // (HasExited first: once reaped, its pid may belong to someone else.)
            _ = LibC.kill(groupId, LibC.SIGKILL);
        }

        await process.WaitForExitAsync(CancellationToken.None);

        // A job forked in the instant between setsid and the first kill would have escaped it.
        _ = LibC.kill(-groupId, LibC.SIGKILL);
    }

    private static async Task CollectAsync(StreamReader reader, OutputTail output)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            output.Append(buffer.AsSpan(0, read));
        }
    }
}
