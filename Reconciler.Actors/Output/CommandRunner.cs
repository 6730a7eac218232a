using System.Diagnostics;
using System.Text;

namespace Reconciler.Actors.Output;

/// <summary>
/// Runs an operator's <c>check-cmd</c>/<c>reload-cmd</c> with <c>sh -c</c> in a process group of its own,
/// so a timeout or cancellation can SIGKILL everything it started, background jobs included (those that left the group
/// too: <see cref="SpawnedProcess.KillTree"/>); with
/// <paramref name="environment"/> as its whole environment (<see cref="CommandEnvironment.Minimal"/> when null).
/// </summary>
public sealed class CommandRunner(CommandEnvironment? environment = null) : ICommandRunner
{
    private readonly CommandEnvironment _environment = environment ?? CommandEnvironment.Minimal;

    private const string ShellPath = "/bin/sh";
    private const int OutputLimit = 64 * 1024;

    /// <summary>
    /// How long to keep collecting output after the shell exited. A job the command left running may hold
    /// the output open indefinitely; the result does not wait for it.
    /// </summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="commandLine"/> with empty stdin. On timeout or cancellation it and everything it
    /// started are killed and the result says <see cref="CommandResult.TimedOut"/> or
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
        var errors = new OutputTail(OutputLimit);

        // In a session of its own, so the pid is the process group id. stdout and stderr both go into the output in the
        // order their chunks arrive, and stderr into a copy of its own too, for the summary. The command line is the
        // operator's configuration, never etcd data.
        var process = SpawnedProcess.Start(ShellPath, ["-c", commandLine], _environment.Variables);
        var drained = Task.WhenAll(
            CollectAsync(new StreamReader(process.Output, Encoding.UTF8), output),
            CollectAsync(new StreamReader(process.Errors, Encoding.UTF8), output, errors));
        try
        {
            var stopped = !await ExitsWithinAsync(process, timeout, cancellationToken);
            if (stopped)
            {
                process.KillTree();
                await process.Exited;
            }

            await Task.WhenAny(drained, Task.Delay(OutputGrace, CancellationToken.None));
            var cancelled = stopped && cancellationToken.IsCancellationRequested;
            return new CommandResult(await process.Exited, output.ToString(), watch.Elapsed, TimedOut: stopped && !cancelled, cancelled) { Errors = errors.ToString() };
        }
        finally
        {
            // Reading goes on until every writer has closed the output: a job the command left running
            // must not block on a full pipe or die of SIGPIPE because we stopped listening.
            _ = drained.ContinueWith(_ => process.Dispose(), TaskScheduler.Default);
        }
    }

    /// <summary>True when the process exits by itself before the timeout and without cancellation.</summary>
    private static async Task<bool> ExitsWithinAsync(SpawnedProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await process.Exited.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task CollectAsync(StreamReader reader, OutputTail output, OutputTail? copy = null)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            output.Append(buffer.AsSpan(0, read));
            copy?.Append(buffer.AsSpan(0, read));
        }
    }
}
