using System.Collections.Immutable;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Simulation;

/// <summary>
/// check-cmd (<c>check {{src}}</c>) and reload-cmd (<c>reload</c>) as the schedule says they end: each outcome holds
/// until the schedule changes it. A check records the staged content it passed; a successful reload brings
/// <paramref name="service"/> to dest's content. Slow and timed-out commands take virtual time (<paramref name="delay"/>):
/// a timed-out check its timeout; a timed-out reload, given no timeout of its own (the reloader's timer cancels it), runs
/// until cancelled.
/// </summary>
internal sealed class SimulatedCommands(string dest, SimulatedHaproxy service, Func<TimeSpan, CancellationToken, Task> delay) : ICommandRunner
{
    public const string Check = "check {{src}}";
    public const string Reload = "reload";

    private readonly Lock _gate = new();
    private ImmutableList<CommandRun> _runs = [];
    private int _waiting;

    public CommandOutcome CheckOutcome { get; set; }

    public CommandOutcome ReloadOutcome { get; set; }

    /// <summary>How long a slow command takes (virtual time).</summary>
    public TimeSpan SlowFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Commands now waiting for virtual time to pass (slow, or running into their timeout).</summary>
    public int WaitingForTime => Volatile.Read(ref _waiting);

    /// <summary>Every command run so far, in the order they ended.</summary>
    public ImmutableList<CommandRun> Runs
    {
        get
        {
            lock (_gate)
            {
                return _runs;
            }
        }
    }

    public async Task<CommandResult> RunAsync(string commandLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var isCheck = commandLine.StartsWith("check ", StringComparison.Ordinal);
        var content = isCheck ? await File.ReadAllTextAsync(Unquoted(commandLine["check ".Length..]), CancellationToken.None) : ReadDest();
        var outcome = isCheck ? CheckOutcome : ReloadOutcome;
        var unbounded = timeout == Timeout.InfiniteTimeSpan;
        var took = outcome switch
        {
            CommandOutcome.Slow => unbounded || SlowFor < timeout ? SlowFor : timeout,
            CommandOutcome.Timeout => timeout,
            _ => TimeSpan.Zero,
        };
        var cancelled = false;
        if (took > TimeSpan.Zero || took == Timeout.InfiniteTimeSpan)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await delay(took, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        // a run cancelled by the reloader's timer reports no duration of its own: the reloader measures it
        var result = cancelled ? new CommandResult(137, string.Empty, unbounded ? TimeSpan.Zero : took, TimedOut: false, Cancelled: true)
            : outcome switch
            {
                CommandOutcome.Fail => new CommandResult(1, "[ALERT] simulated refusal", took, TimedOut: false),
                CommandOutcome.Timeout => new CommandResult(137, string.Empty, took, TimedOut: true),
                _ => new CommandResult(0, string.Empty, took, TimedOut: false),
            };
        if (!isCheck && result.Succeeded)
        {
            service.Reload(content ?? string.Empty);
        }

        lock (_gate)
        {
            _runs = _runs.Add(new CommandRun(isCheck ? CommandKind.Check : CommandKind.Reload, content, result.Succeeded));
        }

        return result;
    }

    private string? ReadDest() => File.Exists(dest) ? File.ReadAllText(dest) : null;

    private static string Unquoted(string quoted) =>
        quoted.Length >= 2 && quoted[0] == '\'' ? quoted[1..^1].Replace(@"'\''", "'", StringComparison.Ordinal) : quoted;
}

internal enum CommandKind
{
    Check,
    Reload,
}

/// <summary>One simulated command: which, the content it was run for (the staged file for a check, dest for a reload), and whether it succeeded.</summary>
internal sealed record CommandRun(CommandKind Kind, string? Content, bool Succeeded);
